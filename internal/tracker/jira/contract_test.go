package jira

import (
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	trackertest.Run(t, trackertest.Fixture{
		Active: "To Do", Next: "In Review", Terminal: "Done", FixedStates: true, MissingID: "99999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			srv, c := newTestClient(t, jiratest.Options{MaxResults: 2}, func(o *Options) {
				o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"To Do"}, []string{"Done"}
				o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			})
			ids := map[string]string{}
			for _, s := range seeds {
				ids[s.Title] = srv.AddIssue(jiratest.Issue{Summary: s.Title, Status: s.State}).ID
			}
			return c, ids
		},
	})
}
