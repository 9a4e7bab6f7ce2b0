package jira

import (
	"net/http"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	build := func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (*jiratest.Server, *Client, map[string]string) {
		srv, c := newTestClient(t, jiratest.Options{MaxResults: 2}, func(o *Options) {
			o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"To Do"}, []string{"Done"}
			o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			if now != nil {
				o.Now, o.HTTPClient = now, &http.Client{Timeout: trackertest.RequestTimeout}
			}
		})
		ids, keys := map[string]string{}, map[string]string{}
		for _, s := range seeds {
			is := jiratest.Issue{Summary: s.Title, Status: s.State}
			if s.BlockedBy != "" {
				is.BlockedBy = []string{keys[s.BlockedBy]}
			}
			stored := srv.AddIssue(is)
			ids[s.Title], keys[s.Title] = stored.ID, stored.Key
		}
		return srv, c, ids
	}
	trackertest.Run(t, trackertest.Fixture{
		Active: "To Do", Next: "In Review", Terminal: "Done", FixedStates: true, MissingID: "99999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			_, c, ids := build(t, seeds, nil)
			return c, ids
		},
		Faults: &trackertest.Faults{
			Request: tracker.CodeTrackerRequest, Status: tracker.CodeTrackerStatus, Response: tracker.CodeTrackerResponse,
			New: func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (tracker.Tracker, trackertest.Fake) {
				srv, c, _ := build(t, seeds, now)
				return c, trackertest.Fake{
					Inject:   func(k trackertest.FaultKind) { srv.Inject(trackertest.HTTPFaults[k]) },
					Requests: func() int { return len(srv.Requests()) },
				}
			},
		},
	})
}
