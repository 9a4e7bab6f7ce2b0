package linear

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func TestSubIssuesParentAndRelations(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	parent := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Epic"})
	blocker := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Blocker", StateName: "In Progress"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Work", ParentID: parent.ID, BlockedBy: []string{blocker.ID}})
	original := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Original"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Waits", BlockedBy: []string{is.ID}, Related: []string{is.ID}})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Copy", DuplicateOf: []string{is.ID}})
	for i := range 55 {
		srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: fmt.Sprintf("child %d", i), ParentID: is.ID})
	}
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Twin", ID: "issue-twin"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Dup", ID: "issue-dup", DuplicateOf: []string{original.ID}})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	children, err := c.ListSubIssues(ctx(t), is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(children) != tracker.MaxRelated || children[0].Title != "child 0" || children[0].State != "Todo" || children[0].URL == "" {
		t.Fatalf("children = %d, first %+v; want the first %d with state and url", len(children), firstOf(children), tracker.MaxRelated)
	}
	got, err := c.FetchParent(ctx(t), is.ID)
	if err != nil || got == nil || got.Identifier != parent.Identifier || got.Title != "Epic" {
		t.Fatalf("parent = %+v, %v; want %s", got, err, parent.Identifier)
	}
	if none, err := c.FetchParent(ctx(t), parent.ID); err != nil || none != nil {
		t.Fatalf("parent of a top-level issue = %+v, %v; want nil", none, err)
	}
	relations, err := c.ListRelations(ctx(t), is.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range relations {
		kinds = append(kinds, r.Type+" "+r.Issue.Title+" "+r.Issue.State)
	}
	want := []string{"blocks Waits Todo", "related Waits Todo", "blocked_by Blocker In Progress", "duplicated_by Copy Todo"}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("relations = %q, want %q", kinds, want)
	}
	dup, err := c.ListRelations(ctx(t), "issue-dup")
	if err != nil || len(dup) != 1 || dup[0].Type != tracker.RelationDuplicateOf || dup[0].Issue.Title != "Original" {
		t.Fatalf("relations of a duplicate = %+v, %v", dup, err)
	}
	for name, call := range map[string]func() error{
		"children":  func() error { _, err := c.ListSubIssues(ctx(t), "issue-missing"); return err },
		"parent":    func() error { _, err := c.FetchParent(ctx(t), "issue-missing"); return err },
		"relations": func() error { _, err := c.ListRelations(ctx(t), "issue-missing"); return err },
	} {
		if err := call(); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Errorf("%s of a missing issue: err = %v, want %s", name, err, tracker.CodeIssueNotFound)
		}
	}
}

func firstOf[T any](s []T) any {
	if len(s) == 0 {
		return nil
	}
	return s[0]
}

func TestDeleteCommentAndAttachURL(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	kept := srv.AddComment(is.ID, "Alice", "keep")
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	created, err := c.CreateComment(ctx(t), is.ID, "scratch")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteComment(ctx(t), is.ID, created.ID); err != nil {
		t.Fatal(err)
	}
	if left := srv.Comments(is.ID); len(left) != 1 || left[0].ID != kept.ID {
		t.Fatalf("comments after delete = %+v, want only %s", left, kept.ID)
	}
	if err := c.DeleteComment(ctx(t), is.ID, created.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("deleting twice: err = %v, want %s", err, tracker.CodeCommentNotFound)
	}

	link, err := c.AttachURL(ctx(t), is.ID, "https://github.com/o/r/pull/1", "PR 1")
	if err != nil {
		t.Fatal(err)
	}
	untitled, err := c.AttachURL(ctx(t), is.ID, "https://github.com/o/r/pull/2", "")
	if err != nil {
		t.Fatal(err)
	}
	stored := srv.Links(is.ID)
	if len(stored) != 2 || stored[0].URL != "https://github.com/o/r/pull/1" || stored[0].Title != "PR 1" || stored[1].Title != "" {
		t.Fatalf("stored links = %+v", stored)
	}
	if link.ID != stored[0].ID || link.Title != "PR 1" || untitled.URL != "https://github.com/o/r/pull/2" {
		t.Fatalf("returned links = %+v, %+v", link, untitled)
	}
	if reqs := srv.Requests(); reqs[len(reqs)-1].Variables["title"] != nil {
		t.Fatalf("an empty title was sent as %v, want null", reqs[len(reqs)-1].Variables["title"])
	}
	if _, err := c.AttachURL(ctx(t), "issue-missing", "https://github.com/x", ""); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attach to a missing issue: err = %v", err)
	}
}

func TestUpdateIssueStateByUUIDAndListStates(t *testing.T) {
	srv := newFake(t)
	team := srv.AddTeam(lineartest.Team{Key: "ENG", States: []lineartest.State{
		{ID: "6f1c2d3e-0000-4000-8000-00000000000a", Name: "Todo"},
		{ID: "6f1c2d3e-0000-4000-8000-00000000000b", Name: "Review"},
	}})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	srv.ResetRequests()
	if err := c.UpdateIssueState(ctx(t), is.ID, team.States[1].ID); err != nil {
		t.Fatal(err)
	}
	if stored, _ := srv.Issue(is.ID); stored.StateName != "Review" {
		t.Fatalf("state = %q, want Review", stored.StateName)
	}
	if n := srv.RequestCount("SymphonyTeamState"); n != 0 {
		t.Errorf("a state id was looked up by name (%d lookups)", n)
	}
	err := c.UpdateIssueState(ctx(t), is.ID, "6f1c2d3e-0000-4000-8000-0000000000ff")
	if !tracker.IsCode(err, tracker.CodeStateNotFound) {
		t.Fatalf("unknown state id: err = %v, want %s", err, tracker.CodeStateNotFound)
	}
	names, err := c.ListStates(ctx(t), is.ID)
	if err != nil || !reflect.DeepEqual(names, []string{"Todo", "Review"}) {
		t.Fatalf("ListStates = %q, %v", names, err)
	}
}
