package jira

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
)

func newTestClient(t *testing.T, fake jiratest.Options, adjust func(*Options)) (*jiratest.Server, *Client) {
	t.Helper()
	srv := jiratest.NewServer(t, fake)
	opts := Options{BaseURL: srv.URL, Email: jiratest.Email, APIToken: jiratest.APIToken, ProjectKey: "ENG",
		Settings: tracker.Settings{ActiveStates: []string{"To Do", "In Progress"}, TerminalStates: []string{"Done"},
			Routes: []tracker.Route{{Key: "app", Default: true}}}}
	if adjust != nil {
		adjust(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func keys(issues []issue.Issue) []string {
	out := []string{}
	for _, is := range issues {
		out = append(out, is.Identifier)
	}
	return out
}

func TestCandidatesFromJQLAcrossPages(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{MaxResults: 2}, func(o *Options) {
		o.Settings.Routes = []tracker.Route{{Key: "web", Labels: []string{"frontend"}}, {Key: "rest", Default: true}}
	})
	srv.AddIssue(jiratest.Issue{Summary: "one", Status: "To Do", Labels: []string{"Frontend"}, PriorityID: "2", Description: "Do it.\nNow."})
	srv.AddIssue(jiratest.Issue{Summary: "two", Status: "In Progress"})
	srv.AddIssue(jiratest.Issue{Summary: "three", Status: "Done"})
	srv.AddIssue(jiratest.Issue{Summary: "four", Status: "to do", BlockedBy: []string{"ENG-2"}})
	got, err := c.FetchCandidates(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if ks := keys(got.Dispatchable); !slices.Equal(ks, []string{"ENG-1", "ENG-2", "ENG-4"}) {
		t.Fatalf("candidates = %v", ks)
	}
	one := got.Dispatchable[0]
	if one.RepoKey != "web" || *one.Priority != 2 || one.Description != "Do it.\n\nNow." || one.State != "To Do" || one.URL != srv.URL+"/browse/ENG-1" || one.Project.SlugID != "ENG" {
		t.Errorf("ENG-1 = %+v", one)
	}
	if four := got.Dispatchable[2]; four.RepoKey != "rest" || !slices.Equal(four.BlockedBy, []issue.Blocker{{ID: "10002", Identifier: "ENG-2", State: "In Progress"}}) {
		t.Errorf("ENG-4 = route %q blockers %+v", four.RepoKey, four.BlockedBy)
	}
	var searches int
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(jiratest.Email+":"+jiratest.APIToken))
	for _, r := range srv.Requests() {
		if r.Authorization != want {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Authorization)
		}
		if r.Path == "/rest/api/3/search/jql" {
			searches++
		}
	}
	if searches != 2 {
		t.Errorf("%d searches, want 2 pages of 2 for 3 matches", searches)
	}
}

func TestRefreshAndLookup(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{}, func(o *Options) { o.Settings.Scope.Assignee = "me" })
	a := srv.AddIssue(jiratest.Issue{Summary: "mine", AssigneeID: jiratest.AccountID})
	b := srv.AddIssue(jiratest.Issue{Summary: "theirs", AssigneeID: "acct-other", Status: "Done"})
	got, err := c.FetchIssueStatesByIDs(ctx(t), []string{b.ID, "99999", a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ks := keys(got); !slices.Equal(ks, []string{"ENG-2", "ENG-1"}) || got[0].AssignedToWorker || !got[1].AssignedToWorker || got[0].State != "Done" {
		t.Fatalf("refreshed = %+v", got)
	}
	if _, err := c.FetchIssueByIdentifier(ctx(t), "ENG-404"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("missing issue: %v", err)
	}
	if got, err := c.FetchIssueStatesByIDs(ctx(t), nil); err != nil || got != nil {
		t.Fatalf("empty ids: %v, %v", got, err)
	}
}

func TestTransitionsByTargetStatusName(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{}, nil)
	srv.AddIssue(jiratest.Issue{Summary: "t"})
	if err := c.UpdateIssueState(ctx(t), "ENG-1", "in review"); err != nil {
		t.Fatal(err)
	}
	if is, _ := srv.Issue("ENG-1"); is.Status != "In Review" {
		t.Fatalf("status %q, want In Review", is.Status)
	}
	err := c.UpdateIssueState(ctx(t), "ENG-1", "Shipped")
	if !tracker.IsCode(err, tracker.CodeStateNotFound) || !strings.Contains(err.Error(), `"Move to Done" -> "Done"`) || strings.Contains(err.Error(), `-> "In Review"`) {
		t.Fatalf("unknown status: %v; want %s listing the available transitions", err, tracker.CodeStateNotFound)
	}
	states, err := c.ListStates(ctx(t), "ENG-1")
	if err != nil || !slices.Equal(states, []string{"To Do", "In Progress", "Done"}) {
		t.Fatalf("ListStates = %v, %v", states, err)
	}
}

func TestCommentsInADF(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{MaxResults: 1}, nil)
	srv.AddIssue(jiratest.Issue{Summary: "t"})
	first, err := c.CreateComment(ctx(t), "ENG-1", "line one\nline two")
	if err != nil {
		t.Fatal(err)
	}
	if first.AuthorID != jiratest.AccountID || first.Body != "line one\nline two" {
		t.Fatalf("created %+v", first)
	}
	if _, err := c.CreateComment(ctx(t), "ENG-1", "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateComment(ctx(t), "ENG-1", first.ID, "edited"); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListComments(ctx(t), "ENG-1")
	if err != nil || len(list) != 2 || list[0].Body != "edited" || list[1].Body != "second" {
		t.Fatalf("comments = %+v, %v", list, err)
	}
	if got := srv.Comments("ENG-1"); !slices.Equal(got, []string{"edited", "second"}) {
		t.Fatalf("stored = %q", got)
	}
	if err := c.DeleteComment(ctx(t), "ENG-1", first.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteComment(ctx(t), "ENG-1", first.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestLinksSubtasksAndRelations(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{}, nil)
	srv.AddIssue(jiratest.Issue{Summary: "epic"})
	srv.AddIssue(jiratest.Issue{Summary: "child", Parent: "ENG-1", BlockedBy: []string{"ENG-3"}})
	srv.AddIssue(jiratest.Issue{Summary: "blocker", Status: "In Progress"})
	subs, err := c.ListSubIssues(ctx(t), "ENG-1")
	if err != nil || len(subs) != 1 || subs[0].Identifier != "ENG-2" {
		t.Fatalf("subtasks = %+v, %v", subs, err)
	}
	parent, err := c.FetchParent(ctx(t), "ENG-2")
	if err != nil || parent == nil || parent.Identifier != "ENG-1" {
		t.Fatalf("parent = %+v, %v", parent, err)
	}
	rels, err := c.ListRelations(ctx(t), "ENG-3")
	if err != nil || len(rels) != 1 || rels[0].Type != tracker.RelationBlocks || rels[0].Issue.Identifier != "ENG-2" {
		t.Fatalf("relations of the blocker = %+v, %v", rels, err)
	}
	link, err := c.AttachURL(ctx(t), "ENG-2", "https://github.com/octo/app/pull/1", "")
	if err != nil || link.ID == "" || !slices.Equal(srv.RemoteLinks("ENG-2"), []string{"https://github.com/octo/app/pull/1"}) {
		t.Fatalf("link %+v, %v; stored %v", link, err, srv.RemoteLinks("ENG-2"))
	}
}

func TestAttachFileUploadsAJiraAttachment(t *testing.T) {
	srv, c := newTestClient(t, jiratest.Options{}, nil)
	srv.AddIssue(jiratest.Issue{Summary: "screenshot wanted", Status: "To Do"})
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	link, err := c.AttachFile(ctx(t), "ENG-1", tracker.FileUpload{Name: "shot.png", ContentType: "image/png", Title: "Login page", Body: png})
	if err != nil {
		t.Fatal(err)
	}
	stored := srv.Attachments("ENG-1")
	if len(stored) != 1 || stored[0].Filename != "shot.png" || stored[0].MimeType != "image/png" || !slices.Equal(stored[0].Body, png) {
		t.Fatalf("stored %+v", stored)
	}
	if link.ID != stored[0].ID || link.URL != srv.URL+"/rest/api/3/attachment/content/"+stored[0].ID || link.Title != "Login page" {
		t.Fatalf("link %+v", link)
	}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/attachments") && !strings.HasPrefix(r.Authorization, "Basic ") {
			t.Errorf("upload without Basic auth: %+v", r)
		}
	}

	if _, err := c.AttachFile(ctx(t), "ENG-1", tracker.FileUpload{Name: "shot.png", Public: true, Body: png}); !tracker.IsCode(err, tracker.CodeUnsupportedOperation) || !strings.Contains(err.Error(), "public") {
		t.Fatalf("a public attachment: %v", err)
	}
	if _, err := c.AttachFile(ctx(t), "ENG-99", tracker.FileUpload{Name: "a.txt", Body: []byte("x")}); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attachment on a missing issue: %v", err)
	}
	if n := len(srv.Attachments("ENG-1")); n != 1 {
		t.Fatalf("%d attachments after the refusals, want 1", n)
	}
}

func TestErrorsAndRateLimitBackOff(t *testing.T) {
	cases := []struct {
		name  string
		fault jiratest.Fault
		code  tracker.Code
		auth  bool
	}{
		{"unauthorized", jiratest.Fault{Status: 401}, tracker.CodeTrackerStatus, true},
		{"server error", jiratest.Fault{Status: 500}, tracker.CodeTrackerStatus, false},
		{"malformed", jiratest.Fault{Malformed: true}, tracker.CodeTrackerResponse, false},
		{"rate limited", jiratest.Fault{Status: 429, RetryAfter: 30}, tracker.CodeRateLimited, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			srv, c := newTestClient(t, jiratest.Options{}, func(o *Options) { o.Now = func() time.Time { return now } })
			tc.fault.Match, tc.fault.Times = "POST /rest/api/3/search/jql", 1
			srv.Inject(tc.fault)
			_, err := c.FetchCandidates(ctx(t))
			if !tracker.IsCode(err, tc.code) || errors.Is(err, tracker.ErrAuthRejected) != tc.auth {
				t.Fatalf("err = %v, want %s (auth %v)", err, tc.code, tc.auth)
			}
			if tc.code != tracker.CodeRateLimited {
				return
			}
			var te *tracker.Error
			if !errors.As(err, &te) || !te.ResetAt.Equal(now.Add(30*time.Second)) {
				t.Fatalf("reset = %v, want Retry-After from now", te)
			}
			before := len(srv.Requests())
			if _, err := c.FetchCandidates(ctx(t)); !tracker.IsCode(err, tracker.CodeRateLimited) || len(srv.Requests()) != before {
				t.Fatalf("inside the window: err %v and %d new requests; want no request", err, len(srv.Requests())-before)
			}
			now = now.Add(31 * time.Second)
			if _, err := c.FetchCandidates(ctx(t)); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
	}
}

func TestNewRefusesPlainHTTPOffLoopbackAndLinearSelectors(t *testing.T) {
	base := Options{Email: "e", APIToken: "t", ProjectKey: "ENG", Settings: tracker.Settings{ActiveStates: []string{"To Do"}, Routes: []tracker.Route{{Key: "a"}}}}
	bad := base
	bad.BaseURL = "http://acme.atlassian.net"
	if _, err := New(bad); !tracker.IsCode(err, tracker.CodeInvalidSettings) {
		t.Fatalf("plain http: %v", err)
	}
	team := base
	team.BaseURL = "https://acme.atlassian.net"
	team.Settings.Routes = []tracker.Route{{Key: "a", Team: "ENG"}}
	if _, err := New(team); !tracker.IsCode(err, tracker.CodeUnsupportedSelector) {
		t.Fatalf("team route: %v", err)
	}
}
