package gitlab

import (
	"fmt"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	labels := map[string]string{"Todo": "workflow::todo", "In Review": "workflow::in-review"}
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Closed", FixedStates: true, MissingID: "group/app#999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			srv, tr := newTestTracker(t, gitlabtest.Options{MaxPerPage: 2}, func(o *Options) {
				o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"Todo"}, []string{"Closed"}
				o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			})
			ids := map[string]string{}
			for _, s := range seeds {
				is := gitlabtest.Issue{Title: s.Title}
				if s.State == "Closed" {
					is.State = "closed"
				} else {
					is.Labels = []string{labels[s.State]}
				}
				ids[s.Title] = fmt.Sprintf("group/app#%d", srv.AddIssue(is).IID)
			}
			return tr, ids
		},
	})
}
