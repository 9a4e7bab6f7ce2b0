package memory

import (
	"context"
	"reflect"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
)

func TestParentChildrenAndRelations(t *testing.T) {
	tr := newTracker(t)
	ctx := context.Background()
	tr.SetParent("2", "1")
	tr.SetParent("3", "1")
	tr.SetParent("4", "missing")
	tr.Relate("1", "blocks", "4")
	tr.Relate("5", "blocks", "1")
	tr.Relate("6", "related", "1")
	tr.Relate("1", "duplicate", "3")
	tr.Relate("2", "duplicate", "1")

	children, err := tr.ListSubIssues(ctx, "1")
	if err != nil || len(children) != 2 || children[0].Identifier != "ENG-2" || children[1].State != "Todo" {
		t.Fatalf("children = %+v, %v", children, err)
	}
	if parent, err := tr.FetchParent(ctx, "2"); err != nil || parent == nil || parent.Identifier != "ENG-1" {
		t.Fatalf("parent = %+v, %v", parent, err)
	}
	for _, id := range []string{"1", "4"} {
		if parent, err := tr.FetchParent(ctx, id); err != nil || parent != nil {
			t.Fatalf("parent of %s = %+v, %v; want none", id, parent, err)
		}
	}
	relations, err := tr.ListRelations(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range relations {
		got = append(got, r.Type+" "+r.Issue.Identifier)
	}
	want := []string{"blocks ENG-4", "duplicate_of ENG-3", "blocked_by ENG-5", "related OPS-1", "duplicated_by ENG-2"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("relations = %q, want %q", got, want)
	}
	if _, err := tr.ListRelations(ctx, "missing"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("relations of a missing issue: err = %v", err)
	}
}

func TestDeleteCommentAndAttachURL(t *testing.T) {
	tr := newTracker(t)
	ctx := context.Background()
	keep, _ := tr.CreateComment(ctx, "1", "keep")
	scratch, _ := tr.CreateComment(ctx, "1", "scratch")
	if err := tr.DeleteComment(ctx, "1", scratch.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := tr.ListComments(ctx, "1"); len(left) != 1 || left[0].ID != keep.ID {
		t.Fatalf("comments after delete = %+v", left)
	}
	if err := tr.DeleteComment(ctx, "1", scratch.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("deleting twice: err = %v", err)
	}
	link, err := tr.AttachURL(ctx, "1", "https://github.com/o/r/pull/1", "PR")
	if err != nil || link.ID == "" {
		t.Fatalf("AttachURL = %+v, %v", link, err)
	}
	if got := tr.Links("1"); !reflect.DeepEqual(got, []tracker.Link{link}) {
		t.Fatalf("Links = %+v", got)
	}
	if _, err := tr.AttachURL(ctx, "missing", "https://github.com/x", ""); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attach to a missing issue: err = %v", err)
	}
}

func TestAttachFileKeepsACopy(t *testing.T) {
	tr := newTracker(t)
	body := []byte("bytes")
	link, err := tr.AttachFile(context.Background(), "1", tracker.FileUpload{Name: "a.png", ContentType: "image/png", Public: true, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	body[0] = 'X'
	f, ok := tr.File(link.URL)
	if !ok || string(f.Body) != "bytes" || f.Name != "a.png" || !f.Public || link.Title != "a.png" {
		t.Fatalf("stored file = %+v, %v; link %+v", f, ok, link)
	}
	if got := tr.Links("1"); len(got) != 1 || got[0] != link {
		t.Fatalf("links = %+v, want the file's link", got)
	}
	if _, err := tr.AttachFile(context.Background(), "missing", tracker.FileUpload{Name: "a.png"}); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attach to a missing issue: err = %v", err)
	}
}
