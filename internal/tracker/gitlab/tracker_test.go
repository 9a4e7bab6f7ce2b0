package gitlab

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

func newTestTracker(t *testing.T, fake gitlabtest.Options, adjust func(*Options)) (*gitlabtest.Server, *Tracker) {
	t.Helper()
	srv := gitlabtest.NewServer(t, fake)
	opts := Options{BaseURL: srv.URL, Token: gitlabtest.Token, Project: "group/app",
		StateLabels: map[string]string{"Todo": "workflow::todo", "In Progress": "workflow::in-progress", "In Review": "workflow::in-review"},
		Settings: tracker.Settings{ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Closed"},
			Routes: []tracker.Route{{Key: "app", Default: true}}}}
	if adjust != nil {
		adjust(&opts)
	}
	tr, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, tr
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func ids(issues []issue.Issue) []string {
	out := []string{}
	for _, is := range issues {
		out = append(out, is.Identifier)
	}
	return out
}

func TestCandidatesFromScopedLabelsAcrossPages(t *testing.T) {
	srv, tr := newTestTracker(t, gitlabtest.Options{MaxPerPage: 2}, func(o *Options) {
		o.Settings.Routes = []tracker.Route{{Key: "mine", Assignee: "me"}, {Key: "rest", Default: true}}
	})
	srv.AddIssue(gitlabtest.Issue{Title: "todo", Labels: []string{"workflow::todo", "Bug"}, Assignees: []string{"ann", gitlabtest.Username}})
	srv.AddIssue(gitlabtest.Issue{Title: "no state label"})
	srv.AddIssue(gitlabtest.Issue{Title: "closed", State: "closed", Labels: []string{"workflow::todo"}})
	srv.AddIssue(gitlabtest.Issue{Title: "working", Labels: []string{"workflow::in-progress"}})
	srv.AddIssue(gitlabtest.Issue{Title: "review", Labels: []string{"workflow::in-review"}})
	got, err := tr.FetchCandidates(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(got.Dispatchable); !slices.Equal(got, []string{"group/app#1", "group/app#4"}) {
		t.Fatalf("candidates = %v", got)
	}
	first := got.Dispatchable[0]
	if first.RepoKey != "mine" || first.State != "Todo" || !slices.Equal(first.Labels, []string{"workflow::todo", "bug"}) || first.URL != srv.URL+"/group/app/-/issues/1" {
		t.Fatalf("group/app#1 = %+v", first)
	}
	if got.Dispatchable[1].RepoKey != "rest" {
		t.Errorf("group/app#4 route %q, want rest", got.Dispatchable[1].RepoKey)
	}
	lists := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/issues") {
			lists++
			if !strings.Contains(r.Query, "state=opened") || r.Path != "/api/v4/projects/group%2Fapp/issues" {
				t.Errorf("list request %s?%s", r.Path, r.Query)
			}
		}
	}
	if lists != 2 {
		t.Errorf("%d list requests, want 2 pages of 2 for the 4 open issues", lists)
	}
}

func TestRefreshStateChangesAndNotes(t *testing.T) {
	srv, tr := newTestTracker(t, gitlabtest.Options{MaxPerPage: 1}, nil)
	srv.AddIssue(gitlabtest.Issue{Title: "t", Labels: []string{"backend", "workflow::todo"}})
	ctx := testCtx(t)
	if err := tr.UpdateIssueState(ctx, "group/app#1", "in review"); err != nil {
		t.Fatal(err)
	}
	is, _ := srv.Issue(1)
	if is.State != "opened" || !slices.Equal(is.Labels, []string{"backend", "workflow::in-review"}) {
		t.Fatalf("after In Review: %+v", is)
	}
	if err := tr.UpdateIssueState(ctx, "group/app#1", "Closed"); err != nil {
		t.Fatal(err)
	}
	got, err := tr.FetchIssueStatesByIDs(ctx, []string{"group/app#1", "group/app#9"})
	if err != nil || len(got) != 1 || got[0].State != "Closed" {
		t.Fatalf("refresh = %+v, %v", got, err)
	}
	err = tr.UpdateIssueState(ctx, "group/app#1", "Shipped")
	if !tracker.IsCode(err, tracker.CodeStateNotFound) || !strings.Contains(err.Error(), "Open, In Progress, In Review, Todo, Closed") {
		t.Fatalf("unknown state: %v", err)
	}
	if _, err := tr.FetchIssueByIdentifier(ctx, "other/app#1"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("other project: %v", err)
	}

	srv.AddNote(gitlabtest.Note{IID: 1, Body: "added ~bug", System: true})
	c, err := tr.CreateComment(ctx, "group/app#1", "working")
	if err != nil || c.AuthorID != gitlabtest.Username {
		t.Fatalf("created %+v, %v", c, err)
	}
	if _, err := tr.CreateComment(ctx, "group/app#1", "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.UpdateComment(ctx, "group/app#1", c.ID, "done"); err != nil {
		t.Fatal(err)
	}
	list, err := tr.ListComments(ctx, "group/app#1")
	if err != nil || len(list) != 2 || list[0].Body != "done" || list[1].Body != "second" {
		t.Fatalf("comments = %+v, %v (system notes must be left out)", list, err)
	}
	if err := tr.DeleteComment(ctx, "group/app#1", c.ID); err != nil {
		t.Fatal(err)
	}
	if err := tr.DeleteComment(ctx, "group/app#1", c.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := tr.ListSubIssues(ctx, "group/app#1"); !tracker.IsCode(err, tracker.CodeUnsupportedOperation) {
		t.Fatalf("sub-issues: %v", err)
	}
}

func TestErrorsAndRateLimitBackOff(t *testing.T) {
	cases := []struct {
		name  string
		fault gitlabtest.Fault
		code  tracker.Code
		auth  bool
	}{
		{"unauthorized", gitlabtest.Fault{Status: 401}, tracker.CodeTrackerStatus, true},
		{"server error", gitlabtest.Fault{Status: 502}, tracker.CodeTrackerStatus, false},
		{"malformed", gitlabtest.Fault{Malformed: true}, tracker.CodeTrackerResponse, false},
		{"rate limited", gitlabtest.Fault{Status: 429, RetryAfter: 20}, tracker.CodeRateLimited, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			srv, tr := newTestTracker(t, gitlabtest.Options{}, func(o *Options) { o.Now = func() time.Time { return now } })
			tc.fault.Match, tc.fault.Times = "GET /api/v4/projects/", 1
			srv.Inject(tc.fault)
			_, err := tr.FetchCandidates(testCtx(t))
			if !tracker.IsCode(err, tc.code) || errors.Is(err, tracker.ErrAuthRejected) != tc.auth {
				t.Fatalf("err = %v, want %s (auth %v)", err, tc.code, tc.auth)
			}
			if tc.code != tracker.CodeRateLimited {
				return
			}
			var te *tracker.Error
			if !errors.As(err, &te) || !te.ResetAt.Equal(now.Add(20*time.Second)) {
				t.Fatalf("reset = %v", te)
			}
			before := len(srv.Requests())
			if _, err := tr.FetchCandidates(testCtx(t)); !tracker.IsCode(err, tracker.CodeRateLimited) || len(srv.Requests()) != before {
				t.Fatalf("inside the window: %v, %d new requests", err, len(srv.Requests())-before)
			}
			now = now.Add(21 * time.Second)
			if _, err := tr.FetchCandidates(testCtx(t)); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
	}
}

func TestNewRefusesPlainHTTPOffLoopback(t *testing.T) {
	_, err := New(Options{BaseURL: "http://gitlab.example.com", Token: "t", Project: "g/p",
		Settings: tracker.Settings{ActiveStates: []string{"Todo"}, Routes: []tracker.Route{{Key: "a"}}}})
	if !tracker.IsCode(err, tracker.CodeInvalidSettings) || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("err = %v", err)
	}
}
