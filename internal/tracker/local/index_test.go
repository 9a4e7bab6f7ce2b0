package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
)

// waitLimit bounds every wait for a file system event.
const waitLimit = 5 * time.Second

// watched starts the tracker's watcher for the test's lifetime and waits until it runs.
func watched(t *testing.T, tr *Tracker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(waitLimit):
			t.Error("Watch did not return after its context ended")
		}
	})
	eventually(t, "the watcher to start", func() bool { watching, _ := watcherState(tr, ""); return watching })
}

// watcherState reports whether the watcher runs and whether it has marked the identifier.
func watcherState(tr *Tracker, identifier string) (watching, marked bool) {
	tr.changes.mu.Lock()
	defer tr.changes.mu.Unlock()
	_, marked = tr.changes.dirty[identifier]
	return tr.changes.watching, marked
}

// eventually polls cond every few milliseconds until it holds, failing after waitLimit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, waitLimit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// candidates polls and returns "identifier=state" for every dispatchable issue.
func candidates(t *testing.T, tr *Tracker) []string {
	t.Helper()
	got, err := tr.FetchCandidates(ctx())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, is := range got.Dispatchable {
		out = append(out, is.Identifier+"="+is.State)
	}
	return out
}

// writeOld writes a file dated an hour ago, as a person's file is between two polls; a file
// written a moment ago is read again on each check until racyWindow has passed.
func writeOld(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := write(t, dir, name, content)
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
	return path
}

func issueText(title, state string) string {
	return "---\ntitle: " + title + "\nstate: " + state + "\n---\nbody of " + title + "\n"
}

// saveLikeAnEditor writes a temporary file beside path and renames it over path.
func saveLikeAnEditor(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".swp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// modes runs a test with and without the watcher; without it the index checks the files on
// each call, with it the test waits for the event.
func modes(t *testing.T, test func(t *testing.T, tr *Tracker, dir string, seen func(what string, cond func() bool))) {
	for _, watch := range []bool{false, true} {
		name := "polling"
		if watch {
			name = "watched"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tr := newTracker(t, dir, settings(), nil)
			if watch {
				watched(t, tr)
			}
			seen := func(what string, cond func() bool) {
				t.Helper()
				if !watch {
					if !cond() {
						t.Fatalf("without the watcher the next call must see %s", what)
					}
					return
				}
				eventually(t, what, cond)
			}
			test(t, tr, dir, seen)
		})
	}
}

func TestIndexSeesEditsNewFilesDeletionsAndRenames(t *testing.T) {
	modes(t, func(t *testing.T, tr *Tracker, dir string, seen func(string, func() bool)) {
		write(t, dir, "LOC-1.md", issueText("One", "Todo"))
		write(t, dir, "LOC-2.md", issueText("Two", "Todo"))
		if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=Todo", "LOC-2=Todo"}) {
			t.Fatalf("first poll = %v", got)
		}
		steps := []struct {
			name   string
			change func()
			want   []string
		}{
			{"edited in place, same size, at once", func() { write(t, dir, "LOC-1.md", issueText("One", "Done")) }, []string{"LOC-2=Todo"}},
			{"new file", func() { write(t, dir, "LOC-3.md", issueText("Three", "In Progress")) }, []string{"LOC-2=Todo", "LOC-3=In Progress"}},
			{"deleted", func() { os.Remove(filepath.Join(dir, "LOC-2.md")) }, []string{"LOC-3=In Progress"}},
			{"renamed", func() {
				os.Rename(filepath.Join(dir, "LOC-3.md"), filepath.Join(dir, "LOC-30.md"))
			}, []string{"LOC-30=In Progress"}},
			{"saved by an editor through a temporary file", func() {
				saveLikeAnEditor(t, filepath.Join(dir, "LOC-1.md"), issueText("One again", "Todo"))
			}, []string{"LOC-1=Todo", "LOC-30=In Progress"}},
		}
		for _, s := range steps {
			s.change()
			var got []string
			seen(s.name+fmt.Sprint(" → ", s.want), func() bool {
				got = candidates(t, tr)
				return slices.Equal(got, s.want)
			})
		}
		is, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
		if err != nil || is.Title != "One again" || is.Description != "body of One again\n" {
			t.Fatalf("the editor's save = %+v, %v", is, err)
		}
		if _, err := tr.FetchIssueByIdentifier(ctx(), "LOC-2"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Fatalf("deleted issue: %v", err)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*")); len(leftovers) != 0 {
			t.Fatalf("temporary files left: %v", leftovers)
		}
	})
}

func TestIndexKeepsTheTrackersOwnWritesAtOnce(t *testing.T) {
	modes(t, func(t *testing.T, tr *Tracker, dir string, _ func(string, func() bool)) {
		write(t, dir, "LOC-1.md", issueText("One", "Todo"))
		write(t, dir, "LOC-2.md", "---\ntitle: Two\nstate: Todo\nblocked_by: [LOC-1]\n---\n")
		candidates(t, tr)
		if err := tr.UpdateIssueState(ctx(), "LOC-1", "In Progress"); err != nil {
			t.Fatal(err)
		}
		// No waiting: the tracker's own write is in the index when the call returns.
		if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=In Progress", "LOC-2=Todo"}) {
			t.Fatalf("after the state update: %v", got)
		}
		refreshed, err := tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-2", "LOC-1"})
		if err != nil || len(refreshed) != 2 || refreshed[1].State != "In Progress" || refreshed[0].BlockedBy[0].State != "In Progress" {
			t.Fatalf("refresh = %+v, %v", refreshed, err)
		}
		if err := tr.UpdateIssueState(ctx(), "LOC-1", "Done"); err != nil {
			t.Fatal(err)
		}
		refreshed, err = tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-2"})
		if err != nil || len(refreshed) != 1 || refreshed[0].BlockedBy[0].State != "Done" {
			t.Fatalf("a blocker's state must be as fresh as the issue: %+v, %v", refreshed, err)
		}
	})
}

func TestIndexReportsAFileThatBecomesInvalid(t *testing.T) {
	modes(t, func(t *testing.T, tr *Tracker, dir string, seen func(string, func() bool)) {
		write(t, dir, "LOC-1.md", issueText("One", "Todo"))
		path := write(t, dir, "LOC-2.md", issueText("Two", "Todo"))
		candidates(t, tr)
		write(t, dir, "LOC-2.md", "---\ntitle: Two\nstate: Todo\nstaet: typo\n---\n")
		seen("the broken file reported", func() bool {
			return slices.Equal(candidates(t, tr), []string{"LOC-1=Todo"}) && len(tr.Problems()) == 1
		})
		if p := tr.Problems()[0]; p.Path != path || p.Line != 4 {
			t.Fatalf("problem = %v, want %s:4", p, path)
		}
		_, err := tr.FetchIssueByIdentifier(ctx(), "LOC-2")
		if !tracker.IsCode(err, tracker.CodeLocalIssueFile) || !strings.Contains(err.Error(), path+":4") {
			t.Fatalf("fetching the broken issue: %v", err)
		}
		write(t, dir, "LOC-2.md", issueText("Two", "Todo"))
		seen("the fixed file served again", func() bool {
			return slices.Equal(candidates(t, tr), []string{"LOC-1=Todo", "LOC-2=Todo"}) && len(tr.Problems()) == 0
		})
	})
}

func TestIndexRefusesAnOversizedFileWithoutReadingIt(t *testing.T) {
	dir := t.TempDir()
	writeOld(t, dir, "LOC-1.md", issueText("One", "Todo"))
	path := writeOld(t, dir, "LOC-2.md", issueText("Two", "Todo")+strings.Repeat("x", maxIssueFileBytes))
	tr := newTracker(t, dir, settings(), nil)
	if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=Todo"}) {
		t.Fatalf("candidates = %v", got)
	}
	if n := tr.filesRead.Load(); n != 1 {
		t.Fatalf("%d files read; the oversized one must not be", n)
	}
	problems := tr.Problems()
	if len(problems) != 1 || problems[0].Path != path || !strings.Contains(problems[0].Msg, "more than the 1048576 (1 MiB) an issue file may hold") {
		t.Fatalf("problems = %v", problems)
	}
	candidates(t, tr)
	if n := tr.filesRead.Load(); n != 1 {
		t.Fatalf("a second poll read %d files in all; unchanged files must not be read again", n)
	}
}

func TestLongDescriptionIsReadWhenTheIssueIsReturned(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("a long description line\n", 2*maxCachedBody/24)
	writeOld(t, dir, "LOC-1.md", "---\ntitle: Long\nstate: Todo\n---\n"+long)
	tr := newTracker(t, dir, settings(), nil)
	got, err := tr.FetchCandidates(ctx())
	if err != nil || len(got.Dispatchable) != 1 || got.Dispatchable[0].Description != long {
		t.Fatalf("the description of a long issue was not returned whole: %d bytes, %v", len(got.Dispatchable[0].Description), err)
	}
	if e := tr.files["LOC-1"]; e.bodyCached || e.rec.Description != "" {
		t.Fatal("a description longer than maxCachedBody must not be kept in the index")
	}
	before := tr.filesRead.Load()
	if refs, err := tr.ListSubIssues(ctx(), "LOC-1"); err != nil || len(refs) != 0 {
		t.Fatalf("sub-issues = %v, %v", refs, err)
	}
	if n := tr.filesRead.Load() - before; n != 0 {
		t.Fatalf("a question that returns no description read %d files", n)
	}
	is, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
	if err != nil || is.Description != long {
		t.Fatalf("by identifier: %d bytes, %v", len(is.Description), err)
	}
}

func TestPollReadsOnlyTheChangedFile(t *testing.T) {
	const files = 1000
	for _, watch := range []bool{false, true} {
		t.Run(map[bool]string{false: "polling", true: "watched"}[watch], func(t *testing.T) {
			dir := t.TempDir()
			for i := range files {
				writeOld(t, dir, fmt.Sprintf("LOC-%d.md", i), issueText(fmt.Sprint("Issue ", i), "Todo"))
			}
			past := time.Now().Add(-time.Hour)
			tr := newTracker(t, dir, settings(), nil)
			if watch {
				watched(t, tr)
			}
			if got := len(candidates(t, tr)); got != files {
				t.Fatalf("first poll returned %d issues", got)
			}
			if n := tr.filesRead.Load(); n != files {
				t.Fatalf("the first poll read %d files, want %d", n, files)
			}
			// A person saves one issue between two polls.
			before := tr.filesRead.Load()
			tmp := filepath.Join(dir, ".LOC-7.md.swp")
			if err := os.WriteFile(tmp, []byte(issueText("Issue 7", "Done")), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, past.Add(time.Minute), past.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(dir, "LOC-7.md")); err != nil {
				t.Fatal(err)
			}
			seen := func() bool { return len(candidates(t, tr)) == files-1 }
			if watch {
				eventually(t, "the edit", seen)
			} else if !seen() {
				t.Fatal("the poll after the edit did not see it")
			}
			if n := tr.filesRead.Load() - before; n != 1 {
				t.Fatalf("polls after one file changed read %d files, want 1", n)
			}
			if _, err := tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-1", "LOC-7"}); err != nil {
				t.Fatal(err)
			}
			candidates(t, tr)
			if n := tr.filesRead.Load() - before; n != 1 {
				t.Fatalf("polls and lookups with nothing changed read %d more files", n-1)
			}
		})
	}
}

func TestWatcherSafetyNetRescansAfterLostEvents(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "LOC-1.md", issueText("One", "Todo"))
	tr := newTracker(t, dir, settings(), nil)
	// A watcher that reports nothing stands for one whose events were lost.
	tr.changes.start()
	candidates(t, tr)
	write(t, dir, "LOC-2.md", issueText("Two", "Todo"))
	if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=Todo"}) {
		t.Fatalf("with a watcher that saw nothing the index is trusted: %v", got)
	}
	tr.changes.markFull()
	if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=Todo", "LOC-2=Todo"}) {
		t.Fatalf("after the watcher reported an error the whole directory is checked: %v", got)
	}
	write(t, dir, "LOC-3.md", issueText("Three", "Todo"))
	tr.refreshMu.Lock()
	tr.lastFullScan = time.Now().Add(-rescanInterval)
	tr.refreshMu.Unlock()
	if got := candidates(t, tr); len(got) != 3 {
		t.Fatalf("the periodic rescan did not run: %v", got)
	}
}

func TestTrackerStaysCorrectWhenTheWatcherFails(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "issues")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "LOC-1.md", issueText("One", "Todo"))
	tr := newTracker(t, dir, settings(), nil)
	done := make(chan error, 1)
	go func() { done <- tr.Watch(context.Background()) }()
	eventually(t, "the watcher to start", func() bool { watching, _ := watcherState(tr, ""); return watching })
	candidates(t, tr)
	moved := filepath.Join(parent, "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "removed or renamed") {
			t.Fatalf("Watch returned %v, want the directory's move reported", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Watch did not notice its directory was moved")
	}
	if _, err := tr.FetchCandidates(ctx()); !tracker.IsCode(err, tracker.CodeLocalIssueFile) {
		t.Fatalf("a poll of a missing directory must fail, not answer from the index: %v", err)
	}
	if err := os.Rename(moved, dir); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "LOC-1.md", issueText("One", "Done"))
	if got := candidates(t, tr); len(got) != 0 {
		t.Fatalf("without the watcher the next poll checks the files: %v", got)
	}
	if err := os.Remove(dir + "/LOC-1.md"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1"); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
		t.Fatalf("without the watcher a lookup checks its file: %v", err)
	}
}

func TestWatchFailsClearlyWithoutADirectory(t *testing.T) {
	dir := t.TempDir()
	tr := newTracker(t, dir, settings(), nil)
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	err := tr.Watch(ctx())
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Watch on a missing directory = %v, want an error naming it", err)
	}
}

func TestIndexUnderConcurrentReadersWritersAndEdits(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		write(t, dir, fmt.Sprintf("LOC-%d.md", i), fmt.Sprintf("---\ntitle: T%d\nstate: Todo\nblocked_by: [LOC-%d]\n---\nbody\n", i, (i+1)%20))
	}
	tr := newTracker(t, dir, settings(), nil)
	watched(t, tr)
	const rounds = 30
	var wg sync.WaitGroup
	errs := make(chan error, 8*rounds)
	for w := range 4 {
		wg.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("LOC-%d", (w*rounds+i)%20)
				switch i % 4 {
				case 0:
					if _, err := tr.FetchCandidates(ctx()); err != nil {
						errs <- err
					}
				case 1:
					if _, err := tr.FetchIssueStatesByIDs(ctx(), []string{id}); err != nil {
						errs <- err
					}
				case 2:
					if err := tr.UpdateIssueState(ctx(), id, "In Progress"); err != nil {
						errs <- err
					}
				case 3:
					if _, err := tr.ListRelations(ctx(), id); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range rounds {
			tmp := filepath.Join(dir, ".editor.swp")
			if err := os.WriteFile(tmp, []byte(issueText(fmt.Sprint("T", i%20), "Todo")), 0o644); err != nil {
				errs <- err
				return
			}
			if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("LOC-%d.md", i%20))); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, errChanged) && !strings.Contains(err.Error(), "kept changing") {
			t.Error(err)
		}
	}
	// Once the events are in, the index answers as a tracker reading every file afresh does.
	fromScratch := candidates(t, newTracker(t, dir, settings(), nil))
	var got []string
	eventually(t, "the index to match the files", func() bool {
		got = candidates(t, tr)
		return slices.Equal(got, fromScratch)
	})
	if len(got) != 20 {
		t.Fatalf("after the storm %d of 20 issues are candidates: %v", len(got), got)
	}
}

// A file system with coarse timestamps can give a second save the time of the first; a file
// read within racyWindow of its modification is therefore read again at the next check.
func TestSameSizeSameTimeEditRightAfterARead(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "LOC-1.md", issueText("One", "Todo"))
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTracker(t, dir, settings(), nil)
	if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=Todo"}) {
		t.Fatalf("first poll = %v", got)
	}
	if err := os.WriteFile(path, []byte(issueText("One", "Done")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got := candidates(t, tr); len(got) != 0 {
		t.Fatalf("an edit with the same size, inode and time went unseen: %v", got)
	}
}

// Without the watcher a lookup checks only the files it answers from, yet answers as freshly
// as a poll: the asked issue, its blockers, and a file it has never seen.
func TestLookupWithoutTheWatcherChecksItsFilesAndBlockers(t *testing.T) {
	dir := t.TempDir()
	writeOld(t, dir, "LOC-1.md", issueText("One", "Todo"))
	writeOld(t, dir, "LOC-2.md", "---\ntitle: Two\nstate: Todo\nblocked_by: [LOC-1]\n---\n")
	writeOld(t, dir, "LOC-9.md", issueText("Nine", "Todo"))
	tr := newTracker(t, dir, settings(), nil)
	candidates(t, tr)
	before := tr.filesRead.Load()
	writeOld(t, dir, "LOC-1.md", issueText("One", "In Review"))
	writeOld(t, dir, "LOC-9.md", issueText("Nine", "Canceled"))
	got, err := tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-2"})
	if err != nil || len(got) != 1 || got[0].BlockedBy[0].State != "In Review" {
		t.Fatalf("lookup = %+v, %v; want the blocker's new state", got, err)
	}
	if n := tr.filesRead.Load() - before; n != 1 {
		t.Fatalf("the lookup read %d files, want only the changed blocker", n)
	}
	writeOld(t, dir, "LOC-3.md", "---\ntitle: Three\nstate: Todo\nid: three\n---\n")
	got, err = tr.FetchIssueStatesByIDs(ctx(), []string{"three"})
	if err != nil || len(got) != 1 || got[0].Identifier != "LOC-3" {
		t.Fatalf("lookup of a new file's id = %+v, %v", got, err)
	}
}
