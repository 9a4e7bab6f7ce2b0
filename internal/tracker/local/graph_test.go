package local

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
)

func TestParentChildrenAndRelationsFromFrontMatter(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "EPIC-1.md", "---\ntitle: Epic\nstate: In Progress\nurl: https://example.com/EPIC-1\n---\n")
	write(t, dir, "LOC-1.md", "---\ntitle: Work\nstate: Todo\nparent: EPIC-1\nblocked_by: [LOC-2, LOC-404]\nrelated: [LOC-3]\nduplicate_of: LOC-5\n---\n")
	write(t, dir, "LOC-2.md", "---\ntitle: Blocker\nstate: Done\n---\n")
	write(t, dir, "LOC-3.md", "---\ntitle: Cousin\nstate: Todo\n---\n")
	write(t, dir, "LOC-4.md", "---\ntitle: Waits\nstate: Todo\nblocked_by: [LOC-1]\nrelated: [LOC-1, LOC-3]\n---\n")
	write(t, dir, "LOC-5.md", "---\ntitle: Original\nstate: Todo\n---\n")
	write(t, dir, "LOC-6.md", "---\ntitle: Copy\nstate: Todo\nduplicate_of: LOC-1\nparent: EPIC-1\n---\n")
	tr := newTracker(t, dir, settings(), nil)

	parent, err := tr.FetchParent(ctx(), "LOC-1")
	if err != nil || parent == nil || parent.Identifier != "EPIC-1" || parent.Title != "Epic" || parent.URL != "https://example.com/EPIC-1" {
		t.Fatalf("parent = %+v, %v", parent, err)
	}
	if none, err := tr.FetchParent(ctx(), "EPIC-1"); none != nil || err != nil {
		t.Fatalf("parent of a top-level issue = %+v, %v; want nil", none, err)
	}
	children, err := tr.ListSubIssues(ctx(), "EPIC-1")
	if err != nil || len(children) != 2 || children[0].Identifier != "LOC-1" || children[1].Identifier != "LOC-6" || children[1].State != "Todo" {
		t.Fatalf("children = %+v, %v", children, err)
	}
	relations, err := tr.ListRelations(ctx(), "LOC-1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range relations {
		got = append(got, r.Type+" "+r.Issue.Identifier+" "+r.Issue.Title)
	}
	want := []string{"blocks LOC-4 Waits", "blocked_by LOC-2 Blocker", "blocked_by LOC-404 ", "related LOC-3 Cousin",
		"related LOC-4 Waits", "duplicate_of LOC-5 Original", "duplicated_by LOC-6 Copy"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("relations =\n%q\nwant\n%q", got, want)
	}
	for name, call := range map[string]func() error{
		"children":  func() error { _, err := tr.ListSubIssues(ctx(), "LOC-404"); return err },
		"parent":    func() error { _, err := tr.FetchParent(ctx(), "LOC-404"); return err },
		"relations": func() error { _, err := tr.ListRelations(ctx(), "LOC-404"); return err },
	} {
		if err := call(); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Errorf("%s of a missing issue: err = %v", name, err)
		}
	}
}

func TestSubIssuesAreCapped(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "EPIC-1.md", "---\ntitle: Epic\nstate: Todo\n---\n")
	for i := range tracker.MaxRelated + 5 {
		write(t, dir, fmt.Sprintf("C-%03d.md", i), "---\ntitle: child\nstate: Todo\nparent: EPIC-1\n---\n")
	}
	children, err := newTracker(t, dir, settings(), nil).ListSubIssues(ctx(), "EPIC-1")
	if err != nil || len(children) != tracker.MaxRelated {
		t.Fatalf("children = %d, %v; want %d", len(children), err, tracker.MaxRelated)
	}
}

func TestDeleteComment(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", "---\ntitle: T\nstate: Todo\n---\n")
	tr := newTracker(t, dir, settings(), nil)
	first, err := tr.CreateComment(ctx(), "LOC-1", "keep")
	if err != nil {
		t.Fatal(err)
	}
	second, err := tr.CreateComment(ctx(), "LOC-1", "scratch")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.DeleteComment(ctx(), "LOC-1", second.ID); err != nil {
		t.Fatal(err)
	}
	left, err := tr.ListComments(ctx(), "LOC-1")
	if err != nil || len(left) != 1 || left[0].ID != first.ID {
		t.Fatalf("comments after delete = %+v, %v", left, err)
	}
	if err := tr.DeleteComment(ctx(), "LOC-1", second.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("deleting twice: err = %v, want %s", err, tracker.CodeCommentNotFound)
	}
}

func TestAttachURLWritesTheLinksFile(t *testing.T) {
	dir := t.TempDir()
	issuePath := write(t, dir, "LOC-1.md", "---\ntitle: T\nstate: Todo\n---\nbody\n")
	tr := newTracker(t, dir, settings(), nil)
	a, err := tr.AttachURL(ctx(), "LOC-1", "https://github.com/o/r/pull/1", "PR 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.AttachURL(ctx(), "LOC-1", "https://github.com/o/r/pull/2", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == b.ID || a.Title != "PR 1" {
		t.Fatalf("links = %+v, %+v", a, b)
	}
	links, err := tr.Links(ctx(), "LOC-1")
	if err != nil || !reflect.DeepEqual(links, []tracker.Link{a, b}) {
		t.Fatalf("Links = %+v, %v; want %+v", links, err, []tracker.Link{a, b})
	}
	data, err := os.ReadFile(filepath.Join(dir, "LOC-1.links.json"))
	if err != nil || !strings.Contains(string(data), `"created_at": "2026-04-05T06:07:08Z"`) {
		t.Fatalf("links file = %s, %v", data, err)
	}
	if unchanged, _ := os.ReadFile(issuePath); string(unchanged) != "---\ntitle: T\nstate: Todo\n---\nbody\n" {
		t.Fatalf("the issue file changed: %q", unchanged)
	}
	if got, err := tr.FetchCandidates(ctx()); err != nil || len(got.Dispatchable) != 1 {
		t.Fatalf("the links file was read as an issue: %+v, %v", got, err)
	}
	write(t, dir, "LOC-1.links.json", "{not json")
	if _, err := tr.AttachURL(ctx(), "LOC-1", "https://github.com/x", ""); !tracker.IsCode(err, tracker.CodeLocalIssueFile) || !strings.Contains(err.Error(), "LOC-1.links.json") {
		t.Fatalf("a broken links file: err = %v, want %s naming the file", err, tracker.CodeLocalIssueFile)
	}
}
