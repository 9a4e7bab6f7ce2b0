package prwatch

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// TestRequestBudgetFor50PullRequestsAtOneMinute watches 50 pull requests with both pollers
// every 60 s and counts the GitHub requests that use up rate limit (a 304 does not): the
// hour must stay well inside GitHub's 5 000 requests, even with one PR changing every cycle.
func TestRequestBudgetFor50PullRequestsAtOneMinute(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := 2; i <= 50; i++ {
		branch := fmt.Sprintf("auto/ABC-%d", i)
		h.gh.SetBranch(fullName, branch, fmt.Sprintf("%040d", i))
		pr := h.gh.AddPullRequest(fullName, githubtest.PullRequest{Title: "PR", Head: branch, Base: "main", Author: "symphony-bot"})
		id := "i" + strconv.Itoa(i)
		h.tr.Put(issue.Issue{ID: id, Identifier: fmt.Sprintf("ABC-%d", i), Title: "PR", State: "In Review"})
		run, err := h.st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: id, IssueIdentifier: fmt.Sprintf("ABC-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.st.RecordPullRequest(ctx, "web", run.ID, "https://github.com/acme/web/pull/"+strconv.Itoa(pr.Number)); err != nil {
			t.Fatal(err)
		}
		h.gh.AddCheckRun(fullName, githubtest.CheckRun{HeadSHA: fmt.Sprintf("%040d", i), Name: "test", Status: "completed", Conclusion: "success"})
	}
	h.finishRuns()
	p := h.pollers(h.settings(), h.tr, h.st)
	counted := func() int { return len(h.gh.Requests()) - h.gh.NotModified() }
	cycle := func() {
		p.reviewCycle(ctx)
		p.ciCycle(ctx)
		h.clock.Advance(time.Minute)
	}
	cycle()
	first := counted()
	const cycles = 3
	for range cycles {
		cycle()
	}
	quiet := (counted() - first) / cycles
	before := counted()
	for i := range cycles {
		h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 2 + i, Author: "ignored-bot", Body: "lint passed"})
		cycle()
	}
	busy := (counted() - before) / cycles
	perHour := first + 59*busy
	t.Logf("50 PRs at 60 s: first cycle %d requests, then %d per quiet cycle, %d per cycle with one PR changing: %d requests in the first hour (GitHub allows 5000)",
		first, quiet, busy, perHour)
	if first > 50*8 || quiet != 0 {
		t.Errorf("first cycle cost %d requests (want at most 8 per PR), a quiet cycle %d (want 0: every answer revalidates)", first, quiet)
	}
	if perHour > 2500 {
		t.Errorf("the first hour costs %d requests, more than half of GitHub's 5000", perHour)
	}
}
