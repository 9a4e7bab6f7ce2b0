package jira

import (
	"strconv"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
)

// TestPollingCost measures an hour of polling at a 30 s interval of 3 projects with 100 open
// issues each (one tracker per project, as each config names one project): one search page
// per project per poll, since Jira answers up to 100 issues a page.
func TestPollingCost(t *testing.T) {
	const pollsPerHour = int(time.Hour / (30 * time.Second))
	total := 0
	for p := range 3 {
		srv, c := newTestClient(t, jiratest.Options{}, nil)
		for i := range 100 {
			srv.AddIssue(jiratest.Issue{Summary: "issue " + strconv.Itoa(i), Status: "To Do"})
		}
		for range pollsPerHour {
			got, err := c.FetchCandidates(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Dispatchable) != 100 {
				t.Fatalf("project %d: %d candidates, want 100", p, len(got.Dispatchable))
			}
		}
		total += len(srv.Requests())
	}
	t.Logf("Jira: %d requests/hour for 3 projects x 100 open issues at 30 s", total)
	if total != 3*pollsPerHour {
		t.Fatalf("%d requests, want exactly one search per project per poll (%d)", total, 3*pollsPerHour)
	}
}
