package local

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func settings(routes ...tracker.Route) tracker.Settings {
	if len(routes) == 0 {
		routes = []tracker.Route{{Key: "main", Default: true}}
	}
	return tracker.Settings{Routes: routes, ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Done"}}
}

func newTracker(t *testing.T, dir string, s tracker.Settings, log *bytes.Buffer) *Tracker {
	t.Helper()
	opts := Options{Dir: dir, Settings: s, Now: func() time.Time { return time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC) }}
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	tr, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func ctx() context.Context { return context.Background() }

func TestCandidatesReadFilesAndResolveBlockers(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", "---\ntitle: First\nstate: Todo\nblocked_by: [LOC-2, LOC-404]\n---\nbody\n")
	write(t, dir, "LOC-2.md", "---\ntitle: Second\nstate: in progress\nid: second\n---\n")
	write(t, dir, "LOC-3.md", "---\ntitle: Third\nstate: Done\n---\n")
	write(t, dir, "notes.txt", "not an issue")
	write(t, dir, "LOC-1.comments.md", "")
	tr := newTracker(t, dir, settings(), nil)

	got, err := tr.FetchCandidates(ctx())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, is := range got.Dispatchable {
		ids = append(ids, is.Identifier+"@"+is.RepoKey)
	}
	if !slices.Equal(ids, []string{"LOC-1@main", "LOC-2@main"}) {
		t.Fatalf("candidates = %v", ids)
	}
	b := got.Dispatchable[0].BlockedBy
	if len(b) != 2 || b[0].ID != "second" || b[0].State != "in progress" || b[1].Identifier != "LOC-404" || b[1].State != "" {
		t.Fatalf("blockers = %+v", b)
	}
	if got.Dispatchable[0].UpdatedAt == nil {
		t.Fatal("updated_at should come from the file's modification time")
	}
	done, err := tr.FetchIssuesByStates(ctx(), []string{"done"})
	if err != nil || len(done) != 1 || done[0].Identifier != "LOC-3" {
		t.Fatalf("by states = %v %v", done, err)
	}
}

func TestHumanEditsAreSeenAndKept(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "LOC-1.md", "---\ntitle: First\nstate: Todo\n---\nbody\n")
	tr := newTracker(t, dir, settings(), nil)

	write(t, dir, "LOC-1.md", "---\ntitle: Renamed by hand\nstate: Done\n---\nnew body\n")
	got, err := tr.FetchCandidates(ctx())
	if err != nil || len(got.Dispatchable) != 0 {
		t.Fatalf("an issue moved to Done by hand must leave the candidates: %+v %v", got, err)
	}

	// A person saves the file between Symphony reading it and replacing it.
	human := "---\ntitle: Edited while Symphony wrote\nstate: Todo # keep me\n---\nhand-written body\n"
	attempts := 0
	_, err = rewrite(path, func(old []byte) ([]byte, error) {
		attempts++
		if attempts == 1 {
			write(t, dir, "LOC-1.md", human)
		}
		return replaceState(old, "In Progress")
	})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := strings.Replace(human, "state: Todo", "state: In Progress", 1)
	if string(data) != want || attempts != 2 {
		t.Fatalf("after a concurrent edit (attempts %d) the file is\n%q\nwant the human edit plus the new state\n%q", attempts, data, want)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestUpdateIssueStateKeepsOtherBytes(t *testing.T) {
	dir := t.TempDir()
	original := "---\n# written by hand\ntitle:  Spacing   kept\nstate: Todo    # moved by Symphony\nlabels: [B, a]\n---\n\nBody with trailing spaces   \n\n---\nstate: Todo\n"
	path := write(t, dir, "LOC-1.md", original)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	tr := newTracker(t, dir, settings(), nil)
	if err := tr.UpdateIssueState(ctx(), "LOC-1", "In Progress"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := strings.Replace(original, "state: Todo    #", "state: In Progress    #", 1)
	if string(data) != want {
		t.Fatalf("got\n%q\nwant\n%q", data, want)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode changed to %v", info.Mode().Perm())
	}
	is, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
	if err != nil || is.State != "In Progress" {
		t.Fatalf("re-read: %+v %v", is, err)
	}
	if err := tr.UpdateIssueState(ctx(), "LOC-9", "Done"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("unknown issue: %v", err)
	}
}

func TestMalformedFileReportedAndSkipped(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", "---\ntitle: Good\nstate: Todo\n---\n")
	bad := "---\ntitle: Bad\nstate: Todo\nstatus: oops\n---\nkeep me\n"
	badPath := write(t, dir, "LOC-2.md", bad)
	var log bytes.Buffer
	tr := newTracker(t, dir, settings(), &log)

	for range 2 {
		got, err := tr.FetchCandidates(ctx())
		if err != nil {
			t.Fatalf("one bad file must not fail the poll: %v", err)
		}
		if len(got.Dispatchable) != 1 || got.Dispatchable[0].Identifier != "LOC-1" {
			t.Fatalf("candidates = %+v", got.Dispatchable)
		}
	}
	problems := tr.Problems()
	if len(problems) != 1 || problems[0].Path != badPath || problems[0].Line != 4 || !strings.Contains(problems[0].Error(), badPath+":4:") {
		t.Fatalf("problems = %v; want %s:4", problems, badPath)
	}
	if n := strings.Count(log.String(), "local issue file skipped"); n != 1 {
		t.Fatalf("bad file logged %d times over two polls, want once:\n%s", n, log.String())
	}
	if data, _ := os.ReadFile(badPath); string(data) != bad {
		t.Fatal("a malformed file was rewritten")
	}
	_, err := tr.FetchIssueByIdentifier(ctx(), "LOC-2")
	if !tracker.IsCode(err, tracker.CodeLocalIssueFile) || !strings.Contains(err.Error(), badPath+":4") {
		t.Fatalf("fetching the bad issue: %v", err)
	}
	if err := tr.UpdateIssueState(ctx(), "LOC-2", "Done"); err == nil {
		t.Fatal("state update of a malformed file must fail")
	}
	if data, _ := os.ReadFile(badPath); string(data) != bad {
		t.Fatal("a malformed file was rewritten by a state update")
	}
}

func TestCommentsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", "---\ntitle: T\nstate: Todo\n---\n")
	tr := newTracker(t, dir, settings(), nil)
	bodies := []string{
		"## Workpad\n\n- [ ] plan\n\n\n- [ ] code",
		"<!-- symphony comment id=\"fake\" -->\nquoted header line\n\\<!-- symphony comment also",
		"single line",
	}
	var created []issue.Comment
	for _, b := range bodies {
		c, err := tr.CreateComment(ctx(), "LOC-1", b)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, c)
	}
	got, err := tr.ListComments(ctx(), "LOC-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("listed %d comments: %+v", len(got), got)
	}
	for i, c := range got {
		if c.Body != bodies[i] || c.ID != created[i].ID || c.Author != "symphony" || !c.CreatedAt.Equal(*created[i].CreatedAt) {
			t.Fatalf("comment %d = %+v, want body %q id %s", i, c, bodies[i], created[i].ID)
		}
	}

	// A person adds a comment by hand, with no id or times, and a note at the top.
	path := filepath.Join(dir, "LOC-1.comments.md")
	data, _ := os.ReadFile(path)
	write(t, dir, "LOC-1.comments.md", "Notes for LOC-1 (kept verbatim)\n\n"+string(data)+"\n<!-- symphony comment author=\"Alice B\" -->\nPlease cover errors.\n")
	updated, err := tr.UpdateComment(ctx(), "LOC-1", created[2].ID, "single line, edited")
	if err != nil {
		t.Fatal(err)
	}
	if updated.UpdatedAt == nil || updated.Body != "single line, edited" {
		t.Fatalf("updated = %+v", updated)
	}
	got, _ = tr.ListComments(ctx(), "LOC-1")
	if len(got) != 4 || got[3].Author != "Alice B" || got[3].Body != "Please cover errors." || got[3].ID != "c4" || got[2].Body != "single line, edited" {
		t.Fatalf("after hand edit: %+v", got)
	}
	data, _ = os.ReadFile(path)
	if !strings.HasPrefix(string(data), "Notes for LOC-1 (kept verbatim)\n\n<!-- symphony comment id=\"c1\" author=\"symphony\" created=\"2026-04-05T06:07:08Z\" -->\n## Workpad\n") {
		t.Fatalf("comments file is not in the documented form:\n%s", data)
	}
	if _, err := tr.UpdateComment(ctx(), "LOC-1", "c99", "x"); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
		t.Fatalf("missing comment: %v", err)
	}
	write(t, dir, "LOC-1.comments.md", "<!-- symphony comment author=broken -->\n")
	if _, err := tr.ListComments(ctx(), "LOC-1"); !tracker.IsCode(err, tracker.CodeLocalIssueFile) || !strings.Contains(err.Error(), "LOC-1.comments.md:1") {
		t.Fatalf("malformed comments file: %v", err)
	}
}

func TestRoutingByLabelsAndAssignee(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", "---\ntitle: T\nstate: Todo\nlabels: [Frontend]\nassignee: alice\n---\n")
	write(t, dir, "LOC-2.md", "---\ntitle: T\nstate: Todo\nlabels: [backend, frontend]\nassignee: alice\n---\n")
	write(t, dir, "LOC-3.md", "---\ntitle: T\nstate: Todo\nassignee: bob\n---\n")
	s := settings(tracker.Route{Key: "web", Labels: []string{"frontend"}}, tracker.Route{Key: "api", Labels: []string{"backend"}}, tracker.Route{Key: "rest", Default: true})
	s.Scope.Assignee = "alice"
	tr := newTracker(t, dir, s, nil)
	got, err := tr.FetchCandidates(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Dispatchable) != 1 || got.Dispatchable[0].Identifier != "LOC-1" || got.Dispatchable[0].RepoKey != "web" {
		t.Fatalf("dispatchable = %+v", got.Dispatchable)
	}
	if len(got.Conflicts) != 1 || !slices.Equal(got.Conflicts[0].ConflictRepoKeys, []string{"api", "web"}) {
		t.Fatalf("conflicts = %+v", got.Conflicts)
	}
	refreshed, err := tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-3", "LOC-1"})
	if err != nil || len(refreshed) != 2 || refreshed[0].AssignedToWorker || !refreshed[1].AssignedToWorker {
		t.Fatalf("refresh = %+v %v", refreshed, err)
	}
}

func TestNewRejectsWhatFilesCannotAnswer(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		code tracker.Code
	}{
		{"route team", Options{Dir: dir, Settings: settings(tracker.Route{Key: "a", Team: "ENG"})}, tracker.CodeUnsupportedSelector},
		{"route projects", Options{Dir: dir, Settings: settings(tracker.Route{Key: "a", Projects: []string{"p"}})}, tracker.CodeUnsupportedSelector},
		{"assignee me", Options{Dir: dir, Settings: settings(tracker.Route{Key: "a", Assignee: "me"})}, tracker.CodeUnsupportedSelector},
		{"missing dir", Options{Dir: filepath.Join(dir, "nope"), Settings: settings()}, tracker.CodeInvalidSettings},
		{"dir is a file", Options{Dir: write(t, dir, "f", ""), Settings: settings()}, tracker.CodeInvalidSettings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); !tracker.IsCode(err, tt.code) {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}
}
