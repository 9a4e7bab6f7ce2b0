package gitlab

import (
	"strconv"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

// TestPollingCost measures an hour of polling at a 30 s interval of 3 projects with 100 open
// issues each (one tracker per project): one page of 100 per project per poll, far under
// gitlab.com's authenticated limit of 2,000 requests a minute.
func TestPollingCost(t *testing.T) {
	const pollsPerHour = int(time.Hour / (30 * time.Second))
	total := 0
	for p := range 3 {
		srv, tr := newTestTracker(t, gitlabtest.Options{}, nil)
		for i := range 100 {
			srv.AddIssue(gitlabtest.Issue{Title: "issue " + strconv.Itoa(i), Labels: []string{"workflow::todo"}})
		}
		for range pollsPerHour {
			got, err := tr.FetchCandidates(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Dispatchable) != 100 {
				t.Fatalf("project %d: %d candidates, want 100", p, len(got.Dispatchable))
			}
		}
		total += len(srv.Requests())
	}
	t.Logf("GitLab: %d requests/hour for 3 projects x 100 open issues at 30 s", total)
	if total != 3*pollsPerHour {
		t.Fatalf("%d requests, want exactly one page per project per poll (%d)", total, 3*pollsPerHour)
	}
}
