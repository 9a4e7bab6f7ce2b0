package linear

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func TestRouteCandidatesFollowPagesInOrder(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	var want []string
	for i := range 120 {
		// Alternate the team-local numbering so Linear's order differs from sorted order.
		is := srv.AddIssue(lineartest.Issue{Identifier: fmt.Sprintf("ENG-%d", 1000-i), TeamKey: "ENG", Title: "t"})
		want = append(want, is.Identifier)
	}
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	got, err := c.FetchRouteCandidates(ctx(t), "web")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(identifiers(got), want) {
		t.Fatalf("pages out of order or incomplete: got %d issues %v...", len(got), identifiers(got)[:5])
	}
	if n := srv.RequestCount("SymphonyCandidateIssues"); n != 3 {
		t.Fatalf("120 issues at 50 per page took %d requests, want 3", n)
	}
	reqs := srv.Requests()
	if reqs[0].Variables["after"] != nil || reqs[1].Variables["after"] == nil || reqs[2].Variables["after"] == reqs[1].Variables["after"] {
		t.Fatalf("cursor chain wrong: %v / %v / %v", reqs[0].Variables["after"], reqs[1].Variables["after"], reqs[2].Variables["after"])
	}
	for _, is := range got {
		if is.RepoKey != "web" {
			t.Fatalf("%s not tagged with route key: %q", is.Identifier, is.RepoKey)
		}
	}
}

func TestCandidateFilters(t *testing.T) {
	srv := newFake(t)
	eng := srv.AddTeam(lineartest.Team{Key: "ENG", ID: "2f6b7c3e-1d2a-4b5c-9e8f-0a1b2c3d4e5f"})
	srv.AddTeam(lineartest.Team{Key: "OPS"})
	web := srv.AddProject(lineartest.Project{Name: "Web Platform", SlugID: "web-platform-1a2b"})
	api := srv.AddProject(lineartest.Project{ID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", Name: "API", SlugID: "api-9z"})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-1", TeamKey: "ENG", ProjectID: web.ID, Labels: []string{"Frontend", "Bug"}, AssigneeID: "user-viewer"})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-2", TeamKey: "ENG", ProjectID: api.ID, Labels: []string{"Backend"}, AssigneeID: "user-other"})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-3", TeamKey: "ENG", Labels: []string{"frontend"}})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-4", TeamKey: "ENG", ProjectID: web.ID, StateName: "Done", Labels: []string{"Frontend"}})
	srv.AddIssue(lineartest.Issue{Identifier: "OPS-1", TeamKey: "OPS", Labels: []string{"Bug"}, AssigneeID: "user-viewer"})

	tests := []struct {
		name  string
		scope tracker.Scope
		route tracker.Route
		want  []string
	}{
		{"team by key", tracker.Scope{Team: "ENG"}, tracker.Route{}, []string{"ENG-1", "ENG-2", "ENG-3"}},
		{"team by UUID id", tracker.Scope{}, tracker.Route{Team: eng.ID}, []string{"ENG-1", "ENG-2", "ENG-3"}},
		{"scope project slug", tracker.Scope{ProjectSlug: "web-platform-1a2b"}, tracker.Route{}, []string{"ENG-1"}},
		{"route project by name replaces scope slug", tracker.Scope{ProjectSlug: "web-platform-1a2b"}, tracker.Route{Projects: []string{"API"}}, []string{"ENG-2"}},
		{"route project by id", tracker.Scope{}, tracker.Route{Projects: []string{api.ID}}, []string{"ENG-2"}},
		{"route project by slug", tracker.Scope{}, tracker.Route{Projects: []string{"web-platform-1a2b"}}, []string{"ENG-1"}},
		{"scope labels any-of", tracker.Scope{Labels: []string{"Backend", "Bug"}}, tracker.Route{}, []string{"ENG-1", "ENG-2", "OPS-1"}},
		{"route labels all-of, case-insensitive", tracker.Scope{}, tracker.Route{Labels: []string{"frontend", "bug"}}, []string{"ENG-1"}},
		{"route label single", tracker.Scope{Team: "ENG"}, tracker.Route{Labels: []string{"FRONTEND"}}, []string{"ENG-1", "ENG-3"}},
		{"assignee me", tracker.Scope{Assignee: "me"}, tracker.Route{}, []string{"ENG-1", "OPS-1"}},
		{"route assignee id overrides scope", tracker.Scope{Assignee: "me"}, tracker.Route{Assignee: "user-other"}, []string{"ENG-2"}},
		{"team and assignee combine", tracker.Scope{Team: "OPS", Assignee: "me"}, tracker.Route{}, []string{"OPS-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.route.Key = "repo"
			s := settings(tt.route)
			s.Scope = tt.scope
			got, err := newClient(t, srv, s).FetchCandidates(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(identifiers(got.Dispatchable), tt.want) {
				t.Fatalf("got %v, want %v", identifiers(got.Dispatchable), tt.want)
			}
		})
	}
}

func TestViewerResolvedOncePerClient(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", AssigneeID: "user-viewer"})
	s := settings(tracker.Route{Key: "a", Labels: []string{"x"}}, tracker.Route{Key: "b", Default: true})
	s.Scope = tracker.Scope{Team: "ENG", Assignee: "me"}
	c := newClient(t, srv, s)
	for range 3 {
		got, err := c.FetchCandidates(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Dispatchable) != 1 || got.Dispatchable[0].RepoKey != "b" {
			t.Fatalf("got %+v", got)
		}
	}
	if n := srv.RequestCount("SymphonyViewer"); n != 1 {
		t.Fatalf("viewer asked %d times over 3 polls, want 1", n)
	}
	for _, r := range srv.Requests() {
		if r.Operation != "SymphonyCandidateIssues" {
			continue
		}
		filter := r.Variables["filter"].(map[string]any)
		if got := fmt.Sprint(filter["assignee"]); got != "map[id:map[in:[user-viewer]]]" {
			t.Fatalf("assignee filter = %s; want the viewer id", got)
		}
	}
}

func TestRoutingTagsAndConflicts(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-1", TeamKey: "ENG", Labels: []string{"frontend"}})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-2", TeamKey: "ENG", Labels: []string{"backend"}})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-3", TeamKey: "ENG", Labels: []string{"backend", "frontend"}})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-4", TeamKey: "ENG"})
	s := settings(
		tracker.Route{Key: "web", Labels: []string{"frontend"}},
		tracker.Route{Key: "api", Labels: []string{"backend"}},
		tracker.Route{Key: "ops", Default: true},
	)
	s.Scope.Team = "ENG"
	got, err := newClient(t, srv, s).FetchCandidates(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]string{}
	for _, is := range got.Dispatchable {
		routed[is.Identifier] = is.RepoKey
	}
	want := map[string]string{"ENG-1": "web", "ENG-2": "api", "ENG-4": "ops"}
	if fmt.Sprint(routed) != fmt.Sprint(want) {
		t.Fatalf("routing = %v, want %v (the default route only keeps issues no other route matched)", routed, want)
	}
	if len(got.Conflicts) != 1 || got.Conflicts[0].Identifier != "ENG-3" || got.Conflicts[0].RepoKey != "" ||
		!slices.Equal(got.Conflicts[0].ConflictRepoKeys, []string{"api", "web"}) {
		t.Fatalf("conflicts = %+v; want ENG-3 with keys [api web] and no repo key", got.Conflicts)
	}
	all, err := newClient(t, srv, s).FetchIssuesByStates(ctx(t), []string{"Todo"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(identifiers(all), []string{"ENG-1", "ENG-2", "ENG-3", "ENG-4"}) {
		t.Fatalf("FetchIssuesByStates must include conflicts once each: %v", identifiers(all))
	}
}

func TestNormalization(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG", Name: "Engineering"})
	blocker := srv.AddIssue(lineartest.Issue{Identifier: "ENG-1", TeamKey: "ENG", StateName: "Done"})
	related := srv.AddIssue(lineartest.Issue{Identifier: "ENG-2", TeamKey: "ENG"})
	created := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv.AddIssue(lineartest.Issue{
		Identifier: "ENG-3", TeamKey: "ENG", Title: "Fix it", Description: "Body", Priority: 2,
		Labels: []string{"Needs-Review", "BUG"}, BlockedBy: []string{blocker.ID}, Related: []string{related.ID},
		Attachments: []string{"https://github.com/acme/web/pull/42", "https://example.com/doc", "https://github.com/acme/web/issues/1"},
		CreatedAt:   created,
	})
	srv.AddIssue(lineartest.Issue{Identifier: "ENG-4", TeamKey: "ENG", Priority: 1.5})
	s := settings(tracker.Route{Key: "web", Team: "ENG"})
	got, err := newClient(t, srv, s).FetchCandidates(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	for i, is := range got.Dispatchable {
		byKey[is.Identifier] = i
	}
	is := got.Dispatchable[byKey["ENG-3"]]
	if is.Title != "Fix it" || is.Description != "Body" || is.Priority == nil || *is.Priority != 2 {
		t.Fatalf("scalars wrong: %+v", is)
	}
	if !slices.Equal(is.Labels, []string{"needs-review", "bug"}) {
		t.Fatalf("labels not lowercased: %v", is.Labels)
	}
	if len(is.BlockedBy) != 1 || is.BlockedBy[0].Identifier != "ENG-1" || is.BlockedBy[0].State != "Done" || is.BlockedBy[0].ID != blocker.ID {
		t.Fatalf("blockers = %+v; want only ENG-1 (Done) from the inverse blocks relation", is.BlockedBy)
	}
	if is.CreatedAt == nil || !is.CreatedAt.Equal(created) || is.UpdatedAt == nil {
		t.Fatalf("timestamps not parsed: %v %v", is.CreatedAt, is.UpdatedAt)
	}
	if is.Team == nil || is.Team.Key != "ENG" || is.Team.Name != "Engineering" || is.BranchName != "eng-3" {
		t.Fatalf("team/branch wrong: %+v %q", is.Team, is.BranchName)
	}
	if is.PullRequestURL() != "https://github.com/acme/web/pull/42" || len(is.PRURLs) != 1 {
		t.Fatalf("PR urls = %q %v", is.PullRequestURL(), is.PRURLs)
	}
	if p := got.Dispatchable[byKey["ENG-4"]].Priority; p != nil {
		t.Fatalf("non-integer priority must become nil, got %d", *p)
	}
}

func TestRefreshByIDsBatchesBeyondFifty(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	var ids []string
	for i := range 120 {
		assignee := "user-viewer"
		if i%10 == 0 {
			assignee = "user-someone-else"
		}
		ids = append(ids, srv.AddIssue(lineartest.Issue{TeamKey: "ENG", AssigneeID: assignee}).ID)
	}
	slices.Reverse(ids)
	s := settings(tracker.Route{Key: "web"})
	s.Scope = tracker.Scope{Team: "ENG", Assignee: "me"}
	c := newClient(t, srv, s)

	got, err := c.FetchIssueStatesByIDs(ctx(t), append(ids, "issue-gone"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 {
		t.Fatalf("refresh returned %d of 120 issues", len(got))
	}
	notMine := 0
	for i, is := range got {
		if is.ID != ids[i] {
			t.Fatalf("result %d is %s, want %s (requested order)", i, is.ID, ids[i])
		}
		if !is.AssignedToWorker {
			notMine++
			if is.AssigneeID != "user-someone-else" {
				t.Fatalf("%s marked not ours but assigned to %s", is.Identifier, is.AssigneeID)
			}
		}
	}
	if notMine != 12 {
		t.Fatalf("%d issues marked reassigned, want 12", notMine)
	}
	if n := srv.RequestCount("SymphonyIssuesByIDs"); n != 3 {
		t.Fatalf("121 ids took %d requests, want 3 batches", n)
	}
	for _, r := range srv.Requests() {
		if r.Operation == "SymphonyIssuesByIDs" && len(r.Variables["ids"].([]any)) > 50 {
			t.Fatalf("batch of %d ids exceeds 50", len(r.Variables["ids"].([]any)))
		}
	}
	if none, err := c.FetchIssueStatesByIDs(ctx(t), nil); err != nil || len(none) != 0 {
		t.Fatalf("empty id list: %v %v", none, err)
	}
}

func TestFetchIssuesByStatesEmptySendsNothing(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))
	got, err := c.FetchIssuesByStates(ctx(t), []string{" "})
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v %v", got, err)
	}
	if n := srv.RequestCount(""); n != 0 {
		t.Fatalf("empty state list sent %d requests", n)
	}
}

func TestFetchIssueByIdentifier(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Wanted", StateName: "Human Review"})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))
	is, err := c.FetchIssueByIdentifier(ctx(t), "ENG-1")
	if err != nil {
		t.Fatal(err)
	}
	if is.Title != "Wanted" || is.State != "Human Review" {
		t.Fatalf("got %+v", is)
	}
	_, err = c.FetchIssueByIdentifier(ctx(t), "ENG-404")
	if !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("missing issue: err = %v, want %s", err, tracker.CodeIssueNotFound)
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		code tracker.Code
	}{
		{"no api key", Options{Settings: settings(tracker.Route{Key: "a", Team: "ENG"})}, tracker.CodeMissingAPIKey},
		{"unscoped route", Options{APIKey: "k", Settings: settings(tracker.Route{Key: "a"})}, tracker.CodeMissingScope},
		{"no routes", Options{APIKey: "k", Settings: settings()}, tracker.CodeInvalidSettings},
		{"two defaults", Options{APIKey: "k", Settings: settings(tracker.Route{Key: "a", Team: "A", Default: true}, tracker.Route{Key: "b", Team: "B", Default: true})}, tracker.CodeInvalidSettings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if !tracker.IsCode(err, tt.code) {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
		})
	}
}
