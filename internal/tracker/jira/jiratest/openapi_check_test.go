package jiratest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv/apischema"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/jira"
)

// TestAnswersMatchTheDescription drives the fake through the real Jira tracker, records every
// exchange, and holds each request body, successful answer and error answer against the
// schemas in openapi_test.go. Every operation must have answered at least once, and every
// route the fake serves must be an operation of the table.
func TestAnswersMatchTheDescription(t *testing.T) {
	srv := seededServer(t)
	rec := &apischema.Recorder{}
	drive(t, srv, rec)

	apischema.WantExchangesDescribed(t, rec.Exchanges(), operations, nil, failure)
	for _, e := range srv.endpoints() {
		known := false
		for _, op := range operations {
			known = known || apischema.SameRoute(e.pattern, op.Route())
		}
		if !known {
			t.Errorf("the fake serves %s, which is no operation in openapi_test.go", e.pattern)
		}
	}
}

// seededServer holds ENG-1 (described, assigned, prioritised, blocked by ENG-2), ENG-2 and
// ENG-3, a subtask of ENG-1.
func seededServer(t *testing.T) *Server {
	t.Helper()
	srv := NewServer(t, Options{})
	srv.AddIssue(Issue{Summary: "parent", Description: "first line\nsecond line", Labels: []string{"backend"},
		AssigneeID: AccountID, PriorityID: "2", BlockedBy: []string{"ENG-2"}})
	srv.AddIssue(Issue{Summary: "blocker"})
	srv.AddIssue(Issue{Summary: "subtask", Parent: "ENG-1"})
	return srv
}

// drive calls every tracker method that reaches the fake, through rec.
func drive(t *testing.T, srv *Server, rec *apischema.Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := jira.New(jira.Options{BaseURL: srv.URL, Email: Email, APIToken: APIToken, ProjectKey: "ENG",
		HTTPClient: &http.Client{Transport: rec, Timeout: 5 * time.Second},
		Settings: tracker.Settings{ActiveStates: []string{"To Do", "In Progress"}, TerminalStates: []string{"Done"},
			Routes: []tracker.Route{{Key: "app", Default: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err = c.ViewerID(ctx)
	must("viewer", err)
	_, err = c.FetchCandidates(ctx)
	must("candidates", err)
	one, _ := srv.Issue("ENG-1")
	_, err = c.FetchIssueStatesByIDs(ctx, []string{one.ID})
	must("states by id", err)
	must("move", c.UpdateIssueState(ctx, one.ID, "In Progress"))
	created, err := c.CreateComment(ctx, one.ID, "working on it\nstep two")
	must("create comment", err)
	_, err = c.UpdateComment(ctx, one.ID, created.ID, "still working")
	must("update comment", err)
	_, err = c.ListComments(ctx, one.ID)
	must("list comments", err)
	must("delete comment", c.DeleteComment(ctx, one.ID, created.ID))
	_, err = c.AttachURL(ctx, one.ID, "https://example.com/pr/1", "PR")
	must("attach url", err)
	_, err = c.AttachFile(ctx, one.ID, tracker.FileUpload{Name: "log.txt", ContentType: "text/plain", Body: []byte("ok\n")})
	must("attach file", err)
	_, err = c.ListSubIssues(ctx, one.ID)
	must("sub-issues", err)
	sub, _ := srv.Issue("ENG-3")
	_, err = c.FetchParent(ctx, sub.ID)
	must("parent", err)

	// Failures: a missing issue and a server error.
	if _, err := c.CreateComment(ctx, "99999", "lost"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("comment on a missing issue: %v", err)
	}
	srv.Inject(Fault{Match: "GET /rest/api/3/issue/", Times: 1, Status: http.StatusInternalServerError})
	if _, err := c.FetchIssueStatesByIDs(ctx, []string{one.ID}); err == nil {
		t.Fatal("a 500 was not reported")
	}
}

// TestDeparturesFromTheDescriptionAreCaught shows the check can fail: a real search answer,
// changed by one unknown key and one wrong type in an issue's fields and a link without its
// type, gives exactly those three problems.
func TestDeparturesFromTheDescriptionAreCaught(t *testing.T) {
	srv := seededServer(t)
	rec := &apischema.Recorder{}
	drive(t, srv, rec)
	var search apischema.Operation
	for _, op := range operations {
		if op.Path == "/rest/api/3/search/jql" {
			search = op
		}
	}
	var body []byte
	for _, ex := range rec.Exchanges() {
		if ex.Path == search.Path && body == nil {
			body = ex.ResponseBody
		}
	}
	v, err := apischema.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := apischema.Check("$", v, search.Response); len(got) != 0 {
		t.Fatalf("the unchanged answer departs from the description: %q\n%s", got, body)
	}
	fields := v.(map[string]any)["issues"].([]any)[0].(map[string]any)["fields"].(map[string]any)
	fields["storyPoints"] = "3"
	fields["labels"] = "backend"
	delete(fields["issuelinks"].([]any)[0].(map[string]any), "type")
	apischema.WantProblems(t, apischema.Check("$", v, search.Response), `$.issues[0].fields.storyPoints: IssueBean.fields has no key "storyPoints"`,
		`$.issues[0].fields.labels: string "backend" where the description has array`,
		`$.issues[0].fields.issuelinks[0]: lacks "type", which IssueLink requires and the client reads`)
}

// TestTrackersDocNamesTheDescription keeps docs/trackers.md's claim about what the fake is
// checked against in step with the table.
func TestTrackersDocNamesTheDescription(t *testing.T) {
	apischema.DocNames(t, "../../../../docs/trackers.md", descriptionRepo, descriptionFile, descriptionCommit[:12])
}
