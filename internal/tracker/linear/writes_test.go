package linear

import (
	"fmt"
	"slices"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func TestUpdateIssueState(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	if err := c.UpdateIssueState(ctx(t), is.ID, "in progress"); err != nil {
		t.Fatal(err)
	}
	if stored, _ := srv.Issue(is.ID); stored.StateName != "In Progress" {
		t.Fatalf("state = %q, want In Progress", stored.StateName)
	}
	err := c.UpdateIssueState(ctx(t), is.ID, "Shipped")
	if !tracker.IsCode(err, tracker.CodeStateNotFound) {
		t.Fatalf("unknown state: err = %v, want %s", err, tracker.CodeStateNotFound)
	}
	err = c.UpdateIssueState(ctx(t), "issue-missing", "Done")
	if !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("unknown issue: err = %v, want %s", err, tracker.CodeIssueNotFound)
	}
}

func TestCommentsRoundTrip(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	for i := range 60 {
		srv.AddComment(is.ID, "Alice", fmt.Sprintf("note %d", i))
	}
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))

	created, err := c.CreateComment(ctx(t), is.ID, "## Workpad\n- [ ] plan")
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Author != "Symphony Bot" || created.CreatedAt == nil {
		t.Fatalf("created comment = %+v", created)
	}
	updated, err := c.UpdateComment(ctx(t), is.ID, created.ID, "## Workpad\n- [x] plan")
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != created.ID || updated.Body != "## Workpad\n- [x] plan" || !updated.UpdatedAt.After(*created.UpdatedAt) {
		t.Fatalf("updated comment = %+v", updated)
	}
	all, err := c.ListComments(ctx(t), is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 61 || all[0].Body != "note 0" || all[60].Body != updated.Body {
		t.Fatalf("listed %d comments, first %q last %q", len(all), first(all).Body, last(all).Body)
	}
	if !slices.IsSortedFunc(all, func(a, b issue.Comment) int { return a.CreatedAt.Compare(*b.CreatedAt) }) {
		t.Fatal("comments not oldest first")
	}
	if _, err := c.UpdateComment(ctx(t), is.ID, "comment-missing", "x"); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("missing comment: err = %v", err)
	}
}

func first(c []issue.Comment) issue.Comment {
	if len(c) == 0 {
		return issue.Comment{}
	}
	return c[0]
}

func last(c []issue.Comment) issue.Comment {
	if len(c) == 0 {
		return issue.Comment{}
	}
	return c[len(c)-1]
}
