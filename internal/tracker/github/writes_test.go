package github

import (
	"errors"
	"github.com/symphony-go/symphony/internal/issue"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/tracker"
)

func TestUpdateIssueStateSwapsStateLabelsAndOpensOrCloses(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "t", Labels: []string{"bug", "symphony:todo", "symphony:in-progress"}})
	ctx := testContext(t)
	steps := []struct {
		state      string
		wantState  string
		wantLabels []string
	}{
		{"in review", githubtest.StateOpen, []string{"bug", "symphony:in-review"}},
		{"Closed", githubtest.StateClosed, []string{"bug"}},
		{"Todo", githubtest.StateOpen, []string{"bug", "symphony:todo"}},
		{"open", githubtest.StateOpen, []string{"bug"}},
	}
	for _, s := range steps {
		if err := f.tr.UpdateIssueState(ctx, "octo/app#1", s.state); err != nil {
			t.Fatalf("to %q: %v", s.state, err)
		}
		got, _ := f.srv.Issue("octo/app", 1)
		if got.State != s.wantState || !slices.Equal(got.Labels, s.wantLabels) {
			t.Fatalf("after %q: state %s labels %v, want %s %v", s.state, got.State, got.Labels, s.wantState, s.wantLabels)
		}
	}
	if n := f.srv.RequestCount("PATCH /repos/octo/app/issues/1"); n != len(steps) {
		t.Errorf("%d edits for %d moves; each move must be one request", n, len(steps))
	}
	err := f.tr.UpdateIssueState(ctx, "octo/app#1", "Shipped")
	if !tracker.IsCode(err, tracker.CodeStateNotFound) || !strings.Contains(err.Error(), "Open, In Progress, In Review, Todo, Closed") {
		t.Fatalf("unknown state: err = %v, want %s listing the states", err, tracker.CodeStateNotFound)
	}
	if err := f.tr.UpdateIssueState(ctx, "octo/app#9", "Todo"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("missing issue: err = %v", err)
	}
	states, _ := f.tr.ListStates(ctx, "octo/app#1")
	if !slices.Equal(states, []string{"Open", "In Progress", "In Review", "Todo", "Closed"}) {
		t.Fatalf("ListStates = %v", states)
	}
}

func TestCommentsCreateListUpdateDelete(t *testing.T) {
	f := newFixture(t, githubtest.Options{Login: "bot"}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "t"})
	f.srv.AddIssueComment("octo/app", githubtest.IssueComment{Number: 1, Author: "ann", Body: "first"})
	ctx := testContext(t)
	c, err := f.tr.CreateComment(ctx, "octo/app#1", "working on it")
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthorID != "bot" || c.Body != "working on it" || c.ID == "" {
		t.Fatalf("created %+v", c)
	}
	if viewer, err := f.tr.ViewerID(ctx); err != nil || viewer != c.AuthorID {
		t.Fatalf("ViewerID = %q, %v; want the author of Symphony's comments", viewer, err)
	}
	if _, err := f.tr.UpdateComment(ctx, "octo/app#1", c.ID, "done"); err != nil {
		t.Fatal(err)
	}
	list, err := f.tr.ListComments(ctx, "octo/app#1")
	if err != nil {
		t.Fatal(err)
	}
	if bodies := identifiers(list, func(c issue.Comment) string { return c.Body }); !slices.Equal(bodies, []string{"first", "done"}) {
		t.Fatalf("comments = %v, want oldest first with the edit", bodies)
	}
	if err := f.tr.DeleteComment(ctx, "octo/app#1", c.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.tr.DeleteComment(ctx, "octo/app#1", c.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("second delete: err = %v", err)
	}
	if _, err := f.tr.UpdateComment(ctx, "octo/app#1", "abc", "x"); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("bad comment id: err = %v", err)
	}
	if _, err := f.tr.ListComments(ctx, "octo/app#5"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("comments of a missing issue: err = %v", err)
	}
}

func TestAttachURLCommentsAndAttachFileIsRefused(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "t"})
	ctx := testContext(t)
	link, err := f.tr.AttachURL(ctx, "octo/app#1", "https://github.com/octo/app/pull/2", "PR [draft]")
	if err != nil {
		t.Fatal(err)
	}
	comments := f.srv.IssueComments("octo/app", 1)
	if len(comments) != 1 || comments[0].Body != `Linked: [PR \[draft\]](https://github.com/octo/app/pull/2)` || link.ID == "" {
		t.Fatalf("link %+v, comments %+v", link, comments)
	}
	_, err = f.tr.AttachFile(ctx, "octo/app#1", tracker.FileUpload{Name: "shot.png", Body: []byte("x")})
	if !tracker.IsCode(err, tracker.CodeUnsupportedOperation) {
		t.Fatalf("AttachFile: err = %v, want %s", err, tracker.CodeUnsupportedOperation)
	}
}

func TestSubIssuesParentAndRelations(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "epic"})
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "child", Parent: 1, Labels: []string{"symphony:todo"}, Body: "blocked by octo/lib#1"})
	f.srv.AddIssue("octo/lib", githubtest.Issue{Title: "lib work", Labels: []string{"symphony:in-progress"}})
	ctx := testContext(t)
	subs, err := f.tr.ListSubIssues(ctx, "octo/app#1")
	if err != nil || len(subs) != 1 || subs[0].Identifier != "octo/app#2" || subs[0].State != "Todo" {
		t.Fatalf("sub-issues = %+v, %v", subs, err)
	}
	parent, err := f.tr.FetchParent(ctx, "octo/app#2")
	if err != nil || parent == nil || parent.Identifier != "octo/app#1" {
		t.Fatalf("parent = %+v, %v", parent, err)
	}
	if parent, err := f.tr.FetchParent(ctx, "octo/app#1"); err != nil || parent != nil {
		t.Fatalf("parent of the epic = %+v, %v; want none", parent, err)
	}
	rels, err := f.tr.ListRelations(ctx, "octo/app#2")
	if err != nil || len(rels) != 1 || rels[0].Type != tracker.RelationBlockedBy || rels[0].Issue.Title != "lib work" || rels[0].Issue.State != "In Progress" {
		t.Fatalf("relations = %+v, %v", rels, err)
	}
}

func TestErrorsMapToTrackerCodes(t *testing.T) {
	cases := []struct {
		name  string
		fault githubtest.Fault
		code  tracker.Code
		auth  bool
	}{
		{"bad credentials", githubtest.Fault{Status: 401}, tracker.CodeTrackerStatus, true},
		{"forbidden", githubtest.Fault{Status: 403}, tracker.CodeTrackerStatus, true},
		{"malformed JSON", githubtest.Fault{MalformedJSON: true}, tracker.CodeTrackerResponse, false},
		{"server keeps failing", githubtest.Fault{Status: 502}, tracker.CodeTrackerStatus, false},
		{"secondary rate limit", githubtest.Fault{SecondaryRateLimit: true, Status: 429, RetryAfter: 120e9}, tracker.CodeRateLimited, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, githubtest.Options{}, nil)
			f.srv.Inject(tc.fault)
			_, err := f.tr.FetchCandidates(testContext(t))
			if !tracker.IsCode(err, tc.code) || errors.Is(err, tracker.ErrAuthRejected) != tc.auth {
				t.Fatalf("err = %v, want code %s (auth rejected %v)", err, tc.code, tc.auth)
			}
			if tc.code == tracker.CodeRateLimited {
				var te *tracker.Error
				if !errors.As(err, &te) || te.ResetAt.IsZero() {
					t.Fatalf("rate limited without a reset time: %#v", err)
				}
			}
		})
	}
}

func TestTransientServerErrorIsRetried(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "t", Labels: []string{"symphony:todo"}})
	f.srv.Inject(githubtest.Fault{Status: 503, Times: 1})
	got, err := f.tr.FetchCandidates(testContext(t))
	if err != nil || len(got.Dispatchable) != 1 {
		t.Fatalf("after one 503: %+v, %v", got, err)
	}
}
