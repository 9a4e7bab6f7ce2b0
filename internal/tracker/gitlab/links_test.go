package gitlab

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

func linkReads(srv *gitlabtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/links") {
			n++
		}
	}
	return n
}

func byIdentifier(issues []issue.Issue, id string) issue.Issue {
	i := slices.IndexFunc(issues, func(is issue.Issue) bool { return is.Identifier == id })
	if i < 0 {
		return issue.Issue{}
	}
	return issues[i]
}

func TestBlockersFromIssueLinks(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	srv, tr := newTestTracker(t, gitlabtest.Options{}, func(o *Options) { o.Now = func() time.Time { return now } })
	srv.AddIssue(gitlabtest.Issue{Title: "blocker", Labels: []string{"workflow::in-progress"}})
	srv.AddIssue(gitlabtest.Issue{Title: "blocked", Labels: []string{"workflow::todo"}, BlockedBy: []int64{1}})
	srv.AddIssue(gitlabtest.Issue{Title: "free", Labels: []string{"workflow::todo"}})
	srv.AddIssue(gitlabtest.Issue{Title: "done blocker", State: "closed"})

	got, err := tr.FetchCandidates(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	blocked := byIdentifier(got.Dispatchable, "group/app#2")
	if want := []issue.Blocker{{ID: "group/app#1", Identifier: "group/app#1", State: "In Progress"}}; !slices.Equal(blocked.BlockedBy, want) {
		t.Fatalf("group/app#2 blockers %+v, want %+v", blocked.BlockedBy, want)
	}
	if b := byIdentifier(got.Dispatchable, "group/app#3").BlockedBy; len(b) != 0 {
		t.Fatalf("group/app#3 blockers %+v, want none", b)
	}
	if n := linkReads(srv); n != 3 {
		t.Fatalf("%d link reads, want one per listed issue (3)", n)
	}

	t.Run("unchanged issues reuse their links", func(t *testing.T) {
		before := linkReads(srv)
		now = now.Add(linksTTL / 2)
		if _, err := tr.FetchCandidates(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if n := linkReads(srv) - before; n != 0 {
			t.Fatalf("%d link reads inside the TTL for unchanged issues", n)
		}
	})

	t.Run("a new link moves updated_at and is read at once", func(t *testing.T) {
		srv.Block(3, 4)
		before := linkReads(srv)
		got, err := tr.FetchCandidates(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if want := []issue.Blocker{{ID: "group/app#4", Identifier: "group/app#4", State: "Closed"}}; !slices.Equal(byIdentifier(got.Dispatchable, "group/app#3").BlockedBy, want) {
			t.Fatalf("group/app#3 blockers %+v, want %+v", byIdentifier(got.Dispatchable, "group/app#3").BlockedBy, want)
		}
		if n := linkReads(srv) - before; n != 1 {
			t.Fatalf("%d link reads, want only the changed issue's", n)
		}
	})

	t.Run("links are read again after the TTL", func(t *testing.T) {
		before := linkReads(srv)
		now = now.Add(linksTTL)
		if _, err := tr.FetchCandidates(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if n := linkReads(srv) - before; n != 3 {
			t.Fatalf("%d link reads after the TTL, want 3", n)
		}
	})

	t.Run("by-id refresh and relations", func(t *testing.T) {
		is, err := tr.FetchIssueByIdentifier(testCtx(t), "group/app#2")
		if err != nil || len(is.BlockedBy) != 1 || is.BlockedBy[0].Identifier != "group/app#1" {
			t.Fatalf("group/app#2 by identifier: %+v, %v", is.BlockedBy, err)
		}
		rels, err := tr.ListRelations(testCtx(t), "group/app#1")
		want := []tracker.Relation{{Type: tracker.RelationBlocks, Issue: tracker.IssueRef{ID: "group/app#2", Identifier: "group/app#2",
			Title: "blocked", State: "Todo", URL: srv.URL + "/group/app/-/issues/2"}}}
		if err != nil || !slices.Equal(rels, want) {
			t.Fatalf("relations of group/app#1: %+v, %v; want %+v", rels, err, want)
		}
	})
}

func TestCandidatePagesAreConditional(t *testing.T) {
	srv, tr := newTestTracker(t, gitlabtest.Options{MaxPerPage: 2}, nil)
	for range 3 {
		srv.AddIssue(gitlabtest.Issue{Title: "todo", Labels: []string{"workflow::todo"}})
	}
	poll := func() []string {
		t.Helper()
		got, err := tr.FetchCandidates(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		return ids(got.Dispatchable)
	}
	statuses := func(from int) []int {
		out := []int{}
		for _, r := range srv.Requests()[from:] {
			if strings.HasSuffix(r.Path, "/issues") {
				out = append(out, r.Status)
			}
		}
		return out
	}
	first := poll()
	if want := []string{"group/app#1", "group/app#2", "group/app#3"}; !slices.Equal(first, want) {
		t.Fatalf("first poll %v, want %v", first, want)
	}
	mark := len(srv.Requests())
	if again := poll(); !slices.Equal(again, first) {
		t.Fatalf("second poll %v, want the cached %v", again, first)
	}
	if got := statuses(mark); !slices.Equal(got, []int{http.StatusNotModified, http.StatusNotModified}) {
		t.Fatalf("second poll statuses %v, want two 304s", got)
	}

	srv.AddIssue(gitlabtest.Issue{Title: "new", Labels: []string{"workflow::todo"}})
	mark = len(srv.Requests())
	if got := poll(); len(got) != 4 || got[3] != "group/app#4" {
		t.Fatalf("after a new issue: %v", got)
	}
	if got := statuses(mark); !slices.Equal(got, []int{http.StatusNotModified, http.StatusOK}) {
		t.Fatalf("after a new issue, statuses %v: the unchanged first page is 304, the changed second 200", got)
	}
}

func TestAttachFileUploadsAndLinksFromANote(t *testing.T) {
	srv, tr := newTestTracker(t, gitlabtest.Options{}, nil)
	srv.AddIssue(gitlabtest.Issue{Title: "screenshot wanted"})
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	link, err := tr.AttachFile(testCtx(t), "group/app#1", tracker.FileUpload{Name: "shot.png", ContentType: "image/png", Title: "Login [page]", Body: png})
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].Filename != "shot.png" || !slices.Equal(ups[0].Body, png) {
		t.Fatalf("uploads %+v", ups)
	}
	rel := "/uploads/" + ups[0].Secret + "/shot.png"
	if link.URL != srv.URL+"/group/app"+rel || link.Title != "Login [page]" || link.ID == "" {
		t.Fatalf("link %+v", link)
	}
	if notes := srv.Notes(1); len(notes) != 1 || notes[0] != `Attached Login \[page\]: [shot](`+rel+`)` {
		t.Fatalf("notes %q", notes)
	}

	if _, err := tr.AttachFile(testCtx(t), "group/app#1", tracker.FileUpload{Name: "shot.png", Public: true, Body: png}); !tracker.IsCode(err, tracker.CodeUnsupportedOperation) || !strings.Contains(err.Error(), "public") {
		t.Fatalf("a public attachment: %v", err)
	}
	if _, err := tr.AttachFile(testCtx(t), "other/app#1", tracker.FileUpload{Name: "a.txt", Body: []byte("x")}); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attachment on another project's issue: %v", err)
	}
	if _, err := tr.AttachFile(testCtx(t), "group/app#99", tracker.FileUpload{Name: "a.txt", Body: []byte("x")}); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("attachment on a missing issue: %v", err)
	}
	if n := len(srv.Uploads()); n != 1 {
		t.Fatalf("%d uploads after the refusals, want 1", n)
	}
}
