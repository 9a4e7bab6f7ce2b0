package github

import (
	ghapi "github.com/symphony-go/symphony/internal/github"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

func issueID(is issue.Issue) string { return is.Identifier }

func TestCandidatesComeFromLabelsAcrossPagesAndRoutes(t *testing.T) {
	f := newFixture(t, githubtest.Options{MaxPerPage: 2}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "todo", Labels: []string{"symphony:todo", "P2", "Bug"}})                   // #1
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "backlog"})                                                                // #2: Open, not active
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "done", State: githubtest.StateClosed, Labels: []string{"symphony:todo"}}) // #3
	f.srv.AddPullRequest("octo/app", githubtest.PullRequest{Title: "a pr", Head: "feature"})                                      // #4
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "working", Labels: []string{"symphony:in-progress", "p1", "p2"}})          // #5
	f.srv.AddIssue("octo/lib", githubtest.Issue{Title: "lib todo", Labels: []string{"SYMPHONY:TODO"}})                            // #1

	got, err := f.tr.FetchCandidates(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if ids := identifiers(got.Dispatchable, issueID); !slices.Equal(ids, []string{"octo/app#1", "octo/app#5", "octo/lib#1"}) {
		t.Fatalf("dispatchable = %v", ids)
	}
	first := got.Dispatchable[0]
	if first.State != "Todo" || first.RepoKey != "app" || *first.Priority != 2 || !slices.Equal(first.Labels, []string{"symphony:todo", "p2", "bug"}) {
		t.Errorf("octo/app#1 = state %q route %q priority %d labels %v", first.State, first.RepoKey, *first.Priority, first.Labels)
	}
	if first.URL != "https://github.com/octo/app/issues/1" || first.Title != "todo" || first.Project.ID != "octo/app" {
		t.Errorf("octo/app#1 = %+v", first)
	}
	if p := got.Dispatchable[1]; p.State != "In Progress" || *p.Priority != 1 {
		t.Errorf("octo/app#5 state %q priority %d, want In Progress, 1 (the lowest label wins)", p.State, *p.Priority)
	}
	if lib := got.Dispatchable[2]; lib.RepoKey != "lib" || lib.State != "Todo" {
		t.Errorf("octo/lib#1 = route %q state %q", lib.RepoKey, lib.State)
	}
	if n := f.srv.RequestCount("GET /repos/octo/app/issues"); n != 2 {
		t.Errorf("octo/app took %d list requests, want 2 pages of 2 (4 open, the pull request among them)", n)
	}
	for _, r := range f.srv.Requests() {
		if r.Query.Get("state") != "open" {
			t.Errorf("candidate poll asked for state %q, want open", r.Query.Get("state"))
		}
	}
}

func TestRouteLabelsAndAssigneeMe(t *testing.T) {
	f := newFixture(t, githubtest.Options{Login: "bot"}, func(o *Options, _ *ghapi.Options) {
		o.Settings.Routes = []tracker.Route{{Key: "frontend", Labels: []string{"frontend"}, Assignee: "me"}, {Key: "rest", Default: true}}
	})
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "mine", Labels: []string{"symphony:todo", "Frontend"}, Assignees: []string{"ann", "bot"}})
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "theirs", Labels: []string{"symphony:todo", "frontend"}, Assignees: []string{"ann"}})
	got, err := f.tr.FetchCandidates(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{}
	for _, is := range got.Dispatchable {
		routes[is.Identifier] = is.RepoKey
	}
	if routes["octo/app#1"] != "frontend" || routes["octo/app#2"] != "rest" {
		t.Fatalf("routes = %v, want #1 (assigned to the token's user) on frontend and #2 on the default", routes)
	}
}

func TestBlockerStatesAreResolved(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddRepository(githubtest.Repository{Owner: "other", Name: "x"})
	f.srv.AddIssue("other/x", githubtest.Issue{Title: "foreign", Labels: []string{"symphony:in-review"}})
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "busy", Labels: []string{"symphony:in-progress"}}) // #1
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "gone", State: githubtest.StateClosed})            // #2
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "blocked", Labels: []string{"symphony:todo"},      // #3
		Body: "Blocked by #1, #2 and octo/lib#9\n- [ ] other/x#1\n- [ ] other/x#5\n- [x] #7\n"})
	got, err := f.tr.FetchIssueByIdentifier(testContext(t), "octo/app#3")
	if err != nil {
		t.Fatal(err)
	}
	want := []issue.Blocker{
		{ID: "octo/app#1", Identifier: "octo/app#1", State: "In Progress"},
		{ID: "octo/app#2", Identifier: "octo/app#2", State: "Closed"},
		{ID: "octo/lib#9", Identifier: "octo/lib#9", State: ""},
		{ID: "other/x#1", Identifier: "other/x#1", State: "In Review"},
		{ID: "other/x#5", Identifier: "other/x#5", State: ""},
	}
	if !slices.Equal(got.BlockedBy, want) {
		t.Fatalf("blockers = %+v\nwant %+v", got.BlockedBy, want)
	}

	cands, err := f.tr.FetchCandidates(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cands.Dispatchable, func(is issue.Issue) bool { return is.Identifier == "octo/app#3" })
	if i < 0 {
		t.Fatal("octo/app#3 is not a candidate")
	}
	// The poll listed octo/app and octo/lib completely: #2 and lib#9 are not open, so closed.
	if b := cands.Dispatchable[i].BlockedBy; b[1].State != "Closed" || b[2].State != "Closed" || b[3].State != "In Review" {
		t.Fatalf("blockers in a poll = %+v", b)
	}
}

func TestRefreshByIDsOmitsMissingIssuesAndPullRequests(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, func(o *Options, _ *ghapi.Options) { o.Settings.Scope.Assignee = "ann" })
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "a", Labels: []string{"symphony:in-progress"}, Assignees: []string{"ann"}})
	f.srv.AddPullRequest("octo/app", githubtest.PullRequest{Title: "pr", Head: "feature"})
	f.srv.AddIssue("octo/lib", githubtest.Issue{Title: "b", State: githubtest.StateClosed, Assignees: []string{"bob"}})
	got, err := f.tr.FetchIssueStatesByIDs(testContext(t), []string{"octo/lib#1", "octo/app#1", "octo/app#2", "octo/app#77"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := identifiers(got, issueID); !slices.Equal(ids, []string{"octo/lib#1", "octo/app#1"}) {
		t.Fatalf("refreshed = %v, want the two issues in the order asked", ids)
	}
	if got[0].State != "Closed" || got[0].AssignedToWorker || got[1].State != "In Progress" || !got[1].AssignedToWorker {
		t.Fatalf("refreshed = %+v", got)
	}
	if _, err := f.tr.FetchIssueStatesByIDs(testContext(t), []string{"nope"}); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("malformed id: err = %v", err)
	}
	n := len(f.srv.Requests())
	if got, err := f.tr.FetchIssueStatesByIDs(testContext(t), nil); err != nil || len(got) != 0 || len(f.srv.Requests()) != n {
		t.Fatalf("empty ids sent a request or returned %v, %v", got, err)
	}
}

func TestFetchIssuesByStatesListsClosedForTerminalCleanup(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "open", Labels: []string{"symphony:todo"}})
	f.srv.AddIssue("octo/app", githubtest.Issue{Title: "closed", State: githubtest.StateClosed, CreatedAt: time.Now().Add(-time.Hour)})
	got, err := f.tr.FetchIssuesByStates(testContext(t), []string{"closed"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := identifiers(got, issueID); !slices.Equal(ids, []string{"octo/app#2"}) {
		t.Fatalf("closed = %v", ids)
	}
	if q := f.srv.Requests()[0].Query.Get("state"); q != "closed" {
		t.Errorf("asked GitHub for state %q, want closed", q)
	}
	if got, err := f.tr.FetchIssuesByStates(testContext(t), []string{" "}); err != nil || got != nil {
		t.Fatalf("blank states = %v, %v", got, err)
	}
}

func TestFetchIssueByIdentifierRefusesPullRequestsAndUnknownRepos(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddPullRequest("octo/app", githubtest.PullRequest{Title: "pr", Head: "feature"})
	for _, id := range []string{"octo/app#1", "octo/app#2", "octo/else#1", "octo/app"} {
		if _, err := f.tr.FetchIssueByIdentifier(testContext(t), id); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Errorf("%s: err = %v, want %s", id, err, tracker.CodeIssueNotFound)
		}
	}
}
