package github

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

func TestIssuesListsEveryPageOldestFirstAndMarksPullRequests(t *testing.T) {
	f := newFixture(t, githubtest.Options{MaxPerPage: 2}, nil)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		f.srv.AddIssue(testFull, githubtest.Issue{Title: "issue", Labels: []string{"Bug"}, Assignees: []string{"ann"}, CreatedAt: base.Add(time.Duration(i) * time.Hour)})
	}
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "pr", Head: "feature", CreatedAt: base.Add(10 * time.Hour)})
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "done", State: githubtest.StateClosed, CreatedAt: base})

	got, err := f.client.Issues(testContext(t), f.repo, IssueOpen)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, is := range got {
		numbers = append(numbers, is.Number)
	}
	if !slices.Equal(numbers, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("numbers = %v, want 1..5 oldest first", numbers)
	}
	if got[4].PullRequest == false || got[0].PullRequest {
		t.Errorf("pull request flags = %v, %v; want only #5 marked", got[0].PullRequest, got[4].PullRequest)
	}
	if !slices.Equal(got[0].Labels, []string{"Bug"}) || !slices.Equal(got[0].Assignees, []string{"ann"}) {
		t.Errorf("labels %v assignees %v", got[0].Labels, got[0].Assignees)
	}
	if n := f.srv.RequestCount("GET /repos/octo/hello/issues"); n != 3 {
		t.Errorf("list requests = %d, want 3 pages of 2", n)
	}
}

func TestConditionalReadsReplayUnchangedPagesFrom304(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, func(o *Options) { o.ConditionalReads = true })
	f.srv.SetRateLimit(100, f.clock.Now().Add(time.Hour))
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "first"})
	ctx := testContext(t)
	for range 3 {
		got, err := f.client.Issues(ctx, f.repo, IssueOpen)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Title != "first" {
			t.Fatalf("issues = %+v, want the one stored", got)
		}
	}
	f.srv.UpdateIssue(testFull, 1, func(is *githubtest.Issue) { is.Title = "renamed" })
	got, err := f.client.Issues(ctx, f.repo, IssueOpen)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Title != "renamed" {
		t.Fatalf("after an edit the listing says %q; the cached page was replayed over a change", got[0].Title)
	}
	var statuses []int
	for _, r := range f.srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	want := []int{http.StatusOK, http.StatusNotModified, http.StatusNotModified, http.StatusOK}
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses = %v, want %v", statuses, want)
	}
	if len(f.srv.Requests()[1].Query) == 0 {
		t.Fatal("request log lost the query")
	}
}

func TestSetIssueStateAndLabelsReplacesLabelsAndCloses(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "t", Labels: []string{"bug", "symphony:todo"}})
	got, err := f.client.SetIssueStateAndLabels(testContext(t), f.repo, 1, IssueClosed, []string{"bug"})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.srv.Issue(testFull, 1)
	if got.State != IssueClosed || stored.State != githubtest.StateClosed || !slices.Equal(stored.Labels, []string{"bug"}) {
		t.Fatalf("returned %+v, stored %+v", got, stored)
	}
	got, err = f.client.SetIssueStateAndLabels(testContext(t), f.repo, 1, IssueOpen, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := f.srv.Issue(testFull, 1); stored.State != githubtest.StateOpen || len(stored.Labels) != 0 || len(got.Labels) != 0 {
		t.Fatalf("nil labels must clear them: stored %+v", stored)
	}
	if _, err := f.client.SetIssueStateAndLabels(testContext(t), f.repo, 1, "merged", nil); ErrorCode(err) != CodeValidation {
		t.Fatalf("bad state: err = %v, want %s", err, CodeValidation)
	}
	if _, err := f.client.SetIssueStateAndLabels(testContext(t), f.repo, 99, IssueOpen, nil); ErrorCode(err) != CodeNotFound {
		t.Fatalf("missing issue: err = %v, want %s", err, CodeNotFound)
	}
}

func TestDeleteIssueComment(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "t"})
	c, err := f.client.CreateIssueComment(testContext(t), f.repo, 1, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.client.DeleteIssueComment(testContext(t), f.repo, c.ID); err != nil {
		t.Fatal(err)
	}
	if left := f.srv.IssueComments(testFull, 1); len(left) != 0 {
		t.Fatalf("comments left: %+v", left)
	}
	if err := f.client.DeleteIssueComment(testContext(t), f.repo, c.ID); ErrorCode(err) != CodeNotFound {
		t.Fatalf("second delete: err = %v, want %s", err, CodeNotFound)
	}
}

func TestSubIssuesAndParent(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "epic"})
	f.srv.AddIssue(testFull, githubtest.Issue{Title: "child", Parent: 1})
	ctx := testContext(t)
	subs, err := f.client.SubIssues(ctx, f.repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Number != 2 || subs[0].Repo != testFull {
		t.Fatalf("sub-issues = %+v, want #2 of %s", subs, testFull)
	}
	parent, err := f.client.ParentIssue(ctx, f.repo, 2)
	if err != nil || parent.Number != 1 {
		t.Fatalf("parent = %+v, %v; want #1", parent, err)
	}
	if _, err := f.client.ParentIssue(ctx, f.repo, 1); ErrorCode(err) != CodeNotFound {
		t.Fatalf("parent of a top-level issue: err = %v, want %s", err, CodeNotFound)
	}
}
