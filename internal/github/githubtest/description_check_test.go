package githubtest

import (
	"context"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/testenv/apischema"
	"github.com/symphony-go/symphony/internal/tracker"
	ghtracker "github.com/symphony-go/symphony/internal/tracker/github"
)

// TestAnswersMatchTheDescription drives the fake through the real client and tracker (and,
// for the two review-comment forms no client path sends, plain requests), records every
// exchange, and holds each request body, successful answer and error answer against the
// schemas in description_test.go. Every operation must have answered at least once, and
// every route the fake serves must be an operation of the table or knowingly outside the
// description, so a new route or key cannot slip past unchecked.
func TestAnswersMatchTheDescription(t *testing.T) {
	srv, rec := seededServer(t)
	drive(t, srv, rec)

	apischema.WantExchangesDescribed(t, rec.Exchanges(), operations, undescribed, failure)
	for _, e := range srv.endpoints() {
		if !servedRouteKnown(e.pattern) {
			t.Errorf("the fake serves %s, which is no operation in description_test.go", e.pattern)
		}
	}
}

func servedRouteKnown(pattern string) bool {
	for _, op := range operations {
		if apischema.SameRoute(pattern, op.Route()) {
			return true
		}
	}
	for _, r := range undescribed {
		if apischema.SameRoute(pattern, r) {
			return true
		}
	}
	return false
}

// seededServer starts a fake holding one repository with issues, a sub-issue, a pull
// request with a review and a review comment, a check run, a status and a failed run, and a
// recorder to put in front of it.
func seededServer(t *testing.T) (*Server, *apischema.Recorder) {
	t.Helper()
	srv := NewServer(t, Options{})
	srv.AddRepository(Repository{Owner: "octo", Name: "app", Branches: map[string]string{
		"main": "1111111111111111111111111111111111111111", "feature": "2222222222222222222222222222222222222222",
		"draft": "3333333333333333333333333333333333333333", "next": "4444444444444444444444444444444444444444",
	}})
	srv.AddIssue("octo/app", Issue{Title: "parent", Body: "blocked by #2", Labels: []string{"symphony:todo", "p1"}, Assignees: []string{"octocat"}})
	srv.AddIssue("octo/app", Issue{Title: "child", Parent: 1, Labels: []string{"symphony:todo"}})
	pr := srv.AddPullRequest("octo/app", PullRequest{Title: "feature", Head: "feature"})
	srv.AddPullRequest("octo/app", PullRequest{Title: "draft", Head: "draft", Draft: true})
	srv.AddIssueComment("octo/app", IssueComment{Number: 1, Author: "ann", Body: "first"})
	srv.AddReview("octo/app", Review{Number: pr.Number, Author: "ann", State: "COMMENTED", Body: "see inline", CommitID: "2222222222222222222222222222222222222222"})
	srv.AddReviewComment("octo/app", ReviewComment{Number: pr.Number, Author: "ann", Body: "typo", Path: "a.go", Line: 3, CommitID: "2222222222222222222222222222222222222222"})
	srv.AddCheckRun("octo/app", CheckRun{HeadSHA: "2222222222222222222222222222222222222222", Name: "test", Status: "completed",
		Conclusion: "failure", AppSlug: "github-actions", StartedAt: time.Unix(1_800_000_000, 0), CompletedAt: time.Unix(1_800_000_060, 0)})
	srv.AddStatus("octo/app", Status{SHA: "2222222222222222222222222222222222222222", Context: "ci/lint", State: "success", TargetURL: "https://ci.example/1"})
	srv.AddWorkflowRun("octo/app", WorkflowRun{Name: "CI", HeadSHA: "2222222222222222222222222222222222222222", HeadBranch: "feature",
		Event: "pull_request", Status: "completed", Conclusion: "failure", WorkflowID: 7,
		Jobs: []Job{{Name: "test", Status: "completed", Conclusion: "failure", Log: "FAIL a_test.go\n"}}})
	return srv, &apischema.Recorder{}
}

// drive calls every client and tracker method that reaches the fake, through rec.
func drive(t *testing.T, srv *Server, rec *apischema.Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	client, err := ghapi.New(ghapi.Options{Endpoint: ghapi.Endpoint{REST: srv.URL}, Token: Token, Timeout: 5 * time.Second, RetryBackoff: time.Millisecond, Transport: rec})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ghtracker.New(ghtracker.Options{
		Client: client, Repos: []string{"octo/app"},
		StateLabels:    map[string]string{"Todo": "symphony:todo", "In Progress": "symphony:in-progress"},
		PriorityLabels: map[string]int{"p1": 1},
		Settings: tracker.Settings{ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Closed"},
			Routes: []tracker.Route{{Key: "app", Default: true}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	repo := ghapi.Repo{Host: "github.com", Owner: "octo", Name: "app"}

	_, err = tr.ViewerID(ctx)
	must("viewer", err)
	_, err = tr.FetchCandidates(ctx)
	must("candidates", err)
	_, err = tr.FetchIssueStatesByIDs(ctx, []string{"octo/app#1"})
	must("states by id", err)
	must("move", tr.UpdateIssueState(ctx, "octo/app#1", "In Progress"))
	c, err := tr.CreateComment(ctx, "octo/app#1", "working on it")
	must("create comment", err)
	_, err = tr.UpdateComment(ctx, "octo/app#1", c.ID, "still working")
	must("update comment", err)
	_, err = tr.ListComments(ctx, "octo/app#1")
	must("list comments", err)
	must("delete comment", tr.DeleteComment(ctx, "octo/app#1", c.ID))
	_, err = tr.AttachURL(ctx, "octo/app#1", "https://example.com/doc", "doc")
	must("attach url", err)
	_, err = tr.ListSubIssues(ctx, "octo/app#1")
	must("sub-issues", err)
	_, err = tr.FetchParent(ctx, "octo/app#2")
	must("parent", err)

	_, err = client.Repository(ctx, repo)
	must("repository", err)
	_, err = client.PullRequestForBranch(ctx, repo, "feature")
	must("pull request for branch", err)
	created, err := client.CreatePullRequest(ctx, repo, ghapi.NewPullRequest{Title: "next", Body: "more", Head: "next", Base: "main"})
	must("create pull request", err)
	title := "next, renamed"
	_, err = client.EditPullRequest(ctx, repo, created.Number, ghapi.PullRequestEdit{Title: &title})
	must("edit pull request", err)
	_, err = client.EditPullRequest(ctx, repo, 4, ghapi.PullRequestEdit{ReadyForReview: true})
	must("ready for review", err)
	must("request reviewers", client.RequestReviewers(ctx, repo, created.Number, []string{"ann"}))
	_, err = client.Reviews(ctx, repo, 3)
	must("reviews", err)
	comments, err := client.ReviewComments(ctx, repo, 3)
	must("review comments", err)
	_, err = client.ReplyToReviewComment(ctx, repo, 3, comments[0].ID, "fixed")
	must("reply", err)
	_, err = client.CheckRuns(ctx, repo, "feature")
	must("check runs", err)
	_, err = client.CombinedStatus(ctx, repo, "feature")
	must("combined status", err)
	runs, err := client.WorkflowRuns(ctx, repo, "2222222222222222222222222222222222222222")
	must("workflow runs", err)
	_, err = client.FailedJobLogs(ctx, repo, runs[0].ID, 100)
	must("failed job logs", err)
	must("rerun", client.RerunFailedJobs(ctx, repo, runs[0].ID))

	// Failures: a missing issue, a duplicate pull request, a server error.
	if _, err := client.Issue(ctx, repo, 99); ghapi.ErrorCode(err) != ghapi.CodeNotFound {
		t.Fatalf("missing issue: %v", err)
	}
	if _, err := client.CreatePullRequest(ctx, repo, ghapi.NewPullRequest{Title: "again", Head: "next", Base: "main"}); ghapi.ErrorCode(err) != ghapi.CodeValidation {
		t.Fatalf("duplicate pull request: %v", err)
	}
	srv.Inject(Fault{Path: "/repos/octo/app/issues/2", Times: 1, Status: http.StatusServiceUnavailable})
	_, err = client.Issue(ctx, repo, 2)
	must("issue after a 503", err)

	// No client path sends these two forms of a review comment; they are sent as GitHub
	// documents them.
	raw := &http.Client{Transport: rec, Timeout: 5 * time.Second}
	post(t, raw, srv.URL+"/repos/octo/app/pulls/3/comments",
		`{"body": "new note", "commit_id": "2222222222222222222222222222222222222222", "path": "a.go", "line": 4}`)
	post(t, raw, srv.URL+"/repos/octo/app/pulls/3/comments/"+itoa64(comments[0].ID)+"/replies", `{"body": "thanks"}`)
}

func post(t *testing.T, c *http.Client, url, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: HTTP %d", url, resp.StatusCode)
	}
}

// TestDeparturesFromTheDescriptionAreCaught shows the check can fail: a real answer of the
// fake, changed by one unknown key, one wrong type and one missing key the client reads,
// gives exactly those three problems.
func TestDeparturesFromTheDescriptionAreCaught(t *testing.T) {
	srv, rec := seededServer(t)
	c := &http.Client{Transport: rec, Timeout: 5 * time.Second}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/repos/octo/app/issues/1", nil)
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	body := rec.Exchanges()[0].ResponseBody
	v, err := apischema.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := apischema.Check("$", v, issue); len(got) != 0 {
		t.Fatalf("the unchanged answer departs from the description: %q\n%s", got, body)
	}
	obj := v.(map[string]any)
	obj["blocked_by"] = []any{}
	obj["number"] = "1"
	delete(obj, "html_url")
	apischema.WantProblems(t, apischema.Check("$", v, issue), `$.blocked_by: issue has no key "blocked_by"`, `$.number: string "1" where the description has integer`,
		`$: lacks "html_url", which issue requires and the client reads`)
}

// TestTrackersDocNamesTheDescription keeps docs/trackers.md's claim about what the fake is
// checked against in step with the table.
func TestTrackersDocNamesTheDescription(t *testing.T) {
	apischema.DocNames(t, "../../../docs/trackers.md", descriptionRepo, path.Base(descriptionFile), descriptionCommit[:12])
}
