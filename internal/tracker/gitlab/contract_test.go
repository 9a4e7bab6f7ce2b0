package gitlab

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	labels := map[string]string{"Todo": "workflow::todo", "In Review": "workflow::in-review"}
	build := func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (*gitlabtest.Server, *Tracker, map[string]string) {
		srv, tr := newTestTracker(t, gitlabtest.Options{MaxPerPage: 2}, func(o *Options) {
			o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"Todo"}, []string{"Closed"}
			o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			if now != nil {
				o.Now, o.HTTPClient = now, &http.Client{Timeout: trackertest.RequestTimeout}
			}
		})
		ids, iids := map[string]string{}, map[string]int64{}
		for _, s := range seeds {
			is := gitlabtest.Issue{Title: s.Title}
			if s.State == "Closed" {
				is.State = "closed"
			} else {
				is.Labels = []string{labels[s.State]}
			}
			if s.BlockedBy != "" {
				is.BlockedBy = []int64{iids[s.BlockedBy]}
			}
			iids[s.Title] = srv.AddIssue(is).IID
			ids[s.Title] = fmt.Sprintf("group/app#%d", iids[s.Title])
		}
		return srv, tr, ids
	}
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Closed", FixedStates: true, MissingID: "group/app#999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			_, tr, ids := build(t, seeds, nil)
			return tr, ids
		},
		Faults: &trackertest.Faults{
			Request: tracker.CodeTrackerRequest, Status: tracker.CodeTrackerStatus, Response: tracker.CodeTrackerResponse,
			New: func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (tracker.Tracker, trackertest.Fake) {
				srv, tr, _ := build(t, seeds, now)
				return tr, trackertest.Fake{
					Inject:   func(k trackertest.FaultKind) { srv.Inject(trackertest.HTTPFaults[k]) },
					Requests: func() int { return len(srv.Requests()) },
				}
			},
		},
	})
}
