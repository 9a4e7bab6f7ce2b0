package memory

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

func newTracker(t *testing.T) *Tracker {
	t.Helper()
	tr, err := New(Options{
		ViewerID: "u-me",
		Settings: tracker.Settings{
			Scope:        tracker.Scope{Team: "ENG", Assignee: "me"},
			Routes:       []tracker.Route{{Key: "web", Labels: []string{"frontend"}}, {Key: "api", Labels: []string{"backend"}}, {Key: "ops", Default: true}},
			ActiveStates: []string{"Todo", "In Progress"},
		},
		Issues: []issue.Issue{
			{ID: "1", Identifier: "ENG-1", State: "Todo", Team: &issue.Team{Key: "ENG"}, Labels: []string{"Frontend"}, AssigneeID: "u-me"},
			{ID: "2", Identifier: "ENG-2", State: "in progress", Team: &issue.Team{Key: "ENG"}, Labels: []string{"backend", "frontend"}, AssigneeID: "u-me"},
			{ID: "3", Identifier: "ENG-3", State: "Todo", Team: &issue.Team{Key: "ENG"}, AssigneeID: "u-me"},
			{ID: "4", Identifier: "ENG-4", State: "Todo", Team: &issue.Team{Key: "ENG"}, AssigneeID: "u-other"},
			{ID: "5", Identifier: "ENG-5", State: "Done", Team: &issue.Team{Key: "ENG"}, AssigneeID: "u-me"},
			{ID: "6", Identifier: "OPS-1", State: "Todo", Team: &issue.Team{Key: "OPS"}, AssigneeID: "u-me"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestCandidatesFollowRoutingRules(t *testing.T) {
	tr := newTracker(t)
	got, err := tr.FetchCandidates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var routed []string
	for _, is := range got.Dispatchable {
		routed = append(routed, is.Identifier+"->"+is.RepoKey)
	}
	if !slices.Equal(routed, []string{"ENG-1->web", "ENG-3->ops"}) {
		t.Fatalf("dispatchable = %v", routed)
	}
	if len(got.Conflicts) != 1 || got.Conflicts[0].Identifier != "ENG-2" || !slices.Equal(got.Conflicts[0].ConflictRepoKeys, []string{"api", "web"}) {
		t.Fatalf("conflicts = %+v", got.Conflicts)
	}
	web, err := tr.FetchRouteCandidates(context.Background(), "web")
	if err != nil || len(web) != 2 || web[0].RepoKey != "web" {
		t.Fatalf("route web = %+v, %v", web, err)
	}
	if _, err := tr.FetchRouteCandidates(context.Background(), "nope"); !tracker.IsCode(err, tracker.CodeUnknownRoute) {
		t.Fatalf("unknown route: %v", err)
	}
}

func TestRefreshMarksReassignedIssues(t *testing.T) {
	tr := newTracker(t)
	got, err := tr.FetchIssueStatesByIDs(context.Background(), []string{"4", "missing", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "4" || got[0].AssignedToWorker || got[1].ID != "1" || !got[1].AssignedToWorker {
		t.Fatalf("refresh = %+v", got)
	}
}

func TestWritesAndInjectedFailures(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := newTracker(t)
	tr.now = func() time.Time { return now }
	ctx := context.Background()
	if err := tr.UpdateIssueState(ctx, "1", "Human Review"); err != nil {
		t.Fatal(err)
	}
	is, err := tr.FetchIssueByIdentifier(ctx, "ENG-1")
	if err != nil || is.State != "Human Review" || !is.UpdatedAt.Equal(now) {
		t.Fatalf("after update: %+v %v", is, err)
	}
	c, err := tr.CreateComment(ctx, "1", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.UpdateComment(ctx, "1", c.ID, "hello again"); err != nil {
		t.Fatal(err)
	}
	list, _ := tr.ListComments(ctx, "1")
	if len(list) != 1 || list[0].Body != "hello again" {
		t.Fatalf("comments = %+v", list)
	}
	boom := tracker.Errorf(tracker.CodeRequest, "injected")
	tr.FailNext(boom)
	if _, err := tr.FetchCandidates(ctx); !errors.Is(err, boom) {
		t.Fatalf("injected failure not returned: %v", err)
	}
	if _, err := tr.FetchCandidates(ctx); err != nil {
		t.Fatalf("failure must apply once: %v", err)
	}
	if _, err := tr.FetchIssueByIdentifier(ctx, "ENG-99"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("missing issue: %v", err)
	}
	is.Labels[0] = "mutated"
	again, _ := tr.FetchIssueByIdentifier(ctx, "ENG-1")
	if again.Labels[0] != "frontend" {
		t.Fatal("returned issues share storage with the tracker")
	}
}
