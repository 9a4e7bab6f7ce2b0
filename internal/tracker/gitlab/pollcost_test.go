package gitlab

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

// TestPollingCost measures an hour of polling at a 30 s interval of 3 projects with 100 open
// issues each (one tracker per project, the clock moved 30 s per poll): one page of 100 per
// project per poll, all but the first answered 304 to their ETag, plus each issue's links
// read again when linksTTL has passed. GitLab counts 304s against its limit too; the total
// stays far under gitlab.com's authenticated limit of 2,000 requests a minute.
func TestPollingCost(t *testing.T) {
	const interval = 30 * time.Second
	const pollsPerHour = int(time.Hour / interval)
	total, notModified := 0, 0
	for p := range 3 {
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		srv, tr := newTestTracker(t, gitlabtest.Options{}, func(o *Options) { o.Now = func() time.Time { return now } })
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
			now = now.Add(interval)
		}
		for _, r := range srv.Requests() {
			if r.Status == http.StatusNotModified {
				notModified++
			}
		}
		total += len(srv.Requests())
	}
	linkReads := 3 * 100 * int(time.Hour/linksTTL)
	t.Logf("GitLab: %d requests/hour for 3 projects x 100 open issues at 30 s (%d of them 304 Not Modified, %d link reads)", total, notModified, linkReads)
	if want := 3*pollsPerHour + linkReads; total != want {
		t.Fatalf("%d requests, want one page per project per poll and one link read per issue per %s (%d)", total, linksTTL, want)
	}
	if want := 3 * (pollsPerHour - 1); notModified != want {
		t.Fatalf("%d pages answered 304, want every page after the first (%d)", notModified, want)
	}
}
