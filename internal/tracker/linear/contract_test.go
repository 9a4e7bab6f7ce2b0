package linear

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

// contractFaults are Linear's answers for each fault the contract asks for.
var contractFaults = map[trackertest.FaultKind]lineartest.Fault{
	trackertest.FaultUnauthorized: {Status: http.StatusUnauthorized},
	trackertest.FaultForbidden:    {Status: http.StatusForbidden},
	trackertest.FaultServerError:  {Status: http.StatusInternalServerError},
	trackertest.FaultMalformed:    {Body: `{"data": {"issues": `},
	trackertest.FaultHang:         {Delay: 20 * trackertest.RequestTimeout},
	trackertest.FaultRateLimited: {Times: 1, Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {strconv.Itoa(int(trackertest.RateLimitWait / time.Second))}}},
}

func TestContract(t *testing.T) {
	build := func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (*lineartest.Server, *Client, map[string]string) {
		srv := newFake(t)
		srv.AddTeam(lineartest.Team{Key: "ENG"})
		ids := map[string]string{}
		for _, s := range seeds {
			is := lineartest.Issue{TeamKey: "ENG", Title: s.Title, StateName: s.State}
			if s.BlockedBy != "" {
				is.BlockedBy = []string{ids[s.BlockedBy]}
			}
			ids[s.Title] = srv.AddIssue(is).ID
		}
		opts := Options{Endpoint: srv.URL, APIKey: lineartest.APIKey, Settings: tracker.Settings{ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"},
			Scope: tracker.Scope{Team: "ENG"}, Routes: []tracker.Route{{Key: "main", Default: true}}}}
		if now != nil {
			opts.Now, opts.HTTPClient = now, &http.Client{Timeout: trackertest.RequestTimeout}
		}
		c, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		return srv, c, ids
	}
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "Human Review", Terminal: "Done", FixedStates: true, MissingID: "00000000-0000-4000-8000-000000000000",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			_, c, ids := build(t, seeds, nil)
			return c, ids
		},
		Faults: &trackertest.Faults{
			Request: tracker.CodeRequest, Status: tracker.CodeStatus, Response: tracker.CodeUnknownPayload,
			New: func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (tracker.Tracker, trackertest.Fake) {
				srv, c, _ := build(t, seeds, now)
				return c, trackertest.Fake{
					Inject:   func(k trackertest.FaultKind) { srv.Inject(contractFaults[k]) },
					Requests: func() int { return srv.RequestCount("") },
				}
			},
		},
	})
}
