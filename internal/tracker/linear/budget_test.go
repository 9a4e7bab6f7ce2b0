package linear

import (
	"fmt"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// TestRequestsPerPollCycle measures, at the fake server, how many requests one poll cycle
// costs: a candidate poll over N routes, each matching M issues, plus the reconciliation
// refresh of R running issues. The expected count is the formula reported for the
// rate-limit budget:
//
//	requests = N * max(1, ceil(M/50)) + ceil(R/50)   (+1 once per client when an assignee is "me")
func TestRequestsPerPollCycle(t *testing.T) {
	tests := []struct{ routes, perRoute, running int }{
		{1, 0, 0},
		{1, 50, 10},
		{1, 51, 50},
		{3, 120, 51},
		{5, 20, 120},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("N=%d,M=%d,R=%d", tt.routes, tt.perRoute, tt.running), func(t *testing.T) {
			srv := newFake(t)
			srv.AddTeam(lineartest.Team{Key: "ENG"})
			var routes []tracker.Route
			var ids []string
			for r := range tt.routes {
				label := fmt.Sprintf("repo-%d", r)
				routes = append(routes, tracker.Route{Key: label, Labels: []string{label}})
				for range tt.perRoute {
					ids = append(ids, srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Labels: []string{label}, AssigneeID: "user-viewer"}).ID)
				}
			}
			s := settings(routes...)
			s.Scope = tracker.Scope{Team: "ENG", Assignee: "me"}
			c := newClient(t, srv, s)
			running := ids[:min(tt.running, len(ids))]
			for i := len(running); i < tt.running; i++ {
				running = append(running, fmt.Sprintf("gone-%d", i))
			}

			for cycle := range 2 {
				srv.ResetRequests()
				got, err := c.FetchCandidates(ctx(t))
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Dispatchable) != tt.routes*tt.perRoute {
					t.Fatalf("poll returned %d issues, want %d", len(got.Dispatchable), tt.routes*tt.perRoute)
				}
				if _, err := c.FetchIssueStatesByIDs(ctx(t), running); err != nil {
					t.Fatal(err)
				}
				want := tt.routes*max(1, ceilDiv(tt.perRoute, pageSize)) + ceilDiv(tt.running, pageSize)
				if cycle == 0 {
					want++ // the one-time viewer lookup for "me"
				}
				if got := srv.RequestCount(""); got != want {
					t.Fatalf("cycle %d sent %d requests, formula says %d", cycle, got, want)
				}
				t.Logf("cycle %d: N=%d M=%d R=%d -> %d requests", cycle, tt.routes, tt.perRoute, tt.running, srv.RequestCount(""))
			}
		})
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
