package local

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// counts is how many issue files a tracker has read and parsed so far.
type counts struct{ read, parsed int64 }

func countsOf(tr *Tracker) counts {
	return counts{tr.filesRead.Load(), tr.filesParsed.Load()}
}

func (c counts) since(before counts) counts {
	return counts{c.read - before.read, c.parsed - before.parsed}
}

// The tracker's own state change goes into the index from what it wrote: with the watcher,
// neither the change nor the event its rename causes reads the file back; without it, a
// version this recent is read again at each check (a person could have saved it within the
// same timestamp tick) but, holding what was written, never parsed again.
func TestOwnStateWriteIsNotReadBack(t *testing.T) {
	for _, watch := range []bool{false, true} {
		name := "polling"
		if watch {
			name = "watched"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeOld(t, dir, "LOC-1.md", issueText("One", "Todo"))
			writeOld(t, dir, "LOC-2.md", "---\ntitle: Two\nstate: Todo\nblocked_by: [LOC-1]\n---\n")
			tr := newTracker(t, dir, settings(), nil)
			if watch {
				watched(t, tr)
			}
			candidates(t, tr)
			before := countsOf(tr)
			if err := tr.UpdateIssueState(ctx(), "LOC-1", "In Progress"); err != nil {
				t.Fatal(err)
			}
			if watch {
				eventually(t, "the event of the tracker's own rename", func() bool { _, marked := watcherState(tr, "LOC-1"); return marked })
			}
			got, err := tr.FetchIssueStatesByIDs(ctx(), []string{"LOC-2", "LOC-1"})
			if err != nil || len(got) != 2 || got[1].State != "In Progress" || got[0].BlockedBy[0].State != "In Progress" {
				t.Fatalf("lookup after the state change = %+v, %v", got, err)
			}
			if _, marked := watcherState(tr, "LOC-1"); marked {
				t.Fatal("the lookup left the rename's event unhandled")
			}
			is, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
			if err != nil || is.State != "In Progress" || is.Description != "body of One\n" {
				t.Fatalf("the written issue = %+v, %v", is, err)
			}
			info, err := os.Stat(filepath.Join(dir, "LOC-1.md"))
			if err != nil || !is.UpdatedAt.Equal(info.ModTime()) {
				t.Fatalf("updated_at %v, want the written file's time (%v)", is.UpdatedAt, err)
			}
			if got := candidates(t, tr); !slices.Equal(got, []string{"LOC-1=In Progress", "LOC-2=Todo"}) {
				t.Fatalf("poll after the state change = %v", got)
			}
			if n := countsOf(tr).since(before); n.parsed != 0 || watch && n.read != 0 {
				t.Fatalf("after the state change the tracker read %d and parsed %d files", n.read, n.parsed)
			}
		})
	}
}

// What the index records from its own write is what reading the file finds, for a plain
// state name and for ones YAML needs quoted, with a description too long for the index to
// keep (so it is read from where the index says it starts).
func TestOwnWriteIndexesWhatAFreshReadFinds(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("a long description\n", maxCachedBody/10)
	writeOld(t, dir, "LOC-1.md", "---\ntitle: One\nstate: Todo # set by hand\nlabels: [A]\n---\n"+body)
	tr := newTracker(t, dir, settings(), nil)
	candidates(t, tr)
	for _, state := range []string{"In Progress", "yes", " Padded ", "Done: really", "Todo"} {
		if err := tr.UpdateIssueState(ctx(), "LOC-1", state); err != nil {
			t.Fatal(err)
		}
		indexed, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := newTracker(t, dir, settings(), nil).FetchIssueByIdentifier(ctx(), "LOC-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(indexed, fresh) {
			t.Fatalf("after writing state %q the index holds\n%+v\nthe file reads\n%+v", state, indexed, fresh)
		}
	}
}

// sameStamp makes path's modification time the one before held, and checks that the file
// now has the inode, size and time it had, the one change the index cannot see by its stamp.
func sameStamp(t *testing.T, path string, before os.FileInfo, sameInode bool) {
	t.Helper()
	if err := os.Chtimes(path, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	inodeBefore, inodeAfter := before.Sys().(*syscall.Stat_t).Ino, after.Sys().(*syscall.Stat_t).Ino
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || (inodeAfter == inodeBefore) != sameInode {
		t.Fatalf("the edit changed the stamp: size %d→%d, time %v→%v, inode %d→%d", before.Size(), after.Size(), before.ModTime(), after.ModTime(), inodeBefore, inodeAfter)
	}
}

// A person's edit right after the tracker's own write is seen, even one that keeps the
// file's size and time.
func TestOutsideEditRightAfterOwnWriteIsSeen(t *testing.T) {
	modes(t, func(t *testing.T, tr *Tracker, dir string, seen func(string, func() bool)) {
		path := writeOld(t, dir, "LOC-1.md", issueText("One", "Todo"))
		candidates(t, tr)
		edits := []struct {
			name string
			edit func(written os.FileInfo)
			want []string
		}{
			{"written in place with the same size and time", func(written os.FileInfo) {
				if err := os.WriteFile(path, []byte(issueText("One", "Todo")), 0o644); err != nil {
					t.Fatal(err)
				}
				sameStamp(t, path, written, true)
			}, []string{"LOC-1=Todo"}},
			{"saved by an editor with the same size and time", func(written os.FileInfo) {
				saveLikeAnEditor(t, path, issueText("Uno", "Todo"))
				sameStamp(t, path, written, false)
			}, []string{"LOC-1=Todo"}},
			{"deleted", func(os.FileInfo) {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}, nil},
		}
		for _, e := range edits {
			if err := tr.UpdateIssueState(ctx(), "LOC-1", "Done"); err != nil {
				t.Fatal(err)
			}
			if got := candidates(t, tr); len(got) != 0 {
				t.Fatalf("before the edit %q: candidates %v, want none", e.name, got)
			}
			written, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			e.edit(written)
			seen(e.name, func() bool { return slices.Equal(candidates(t, tr), e.want) })
		}
	})
}

// A file whose time changed but whose bytes did not is read again but not parsed again.
func TestTouchedFileIsReadButNotParsedAgain(t *testing.T) {
	dir := t.TempDir()
	path := writeOld(t, dir, "LOC-1.md", issueText("One", "Todo"))
	tr := newTracker(t, dir, settings(), nil)
	candidates(t, tr)
	before := countsOf(tr)
	touched := time.Now().Add(-30 * time.Minute)
	if err := os.Chtimes(path, touched, touched); err != nil {
		t.Fatal(err)
	}
	is, err := tr.FetchIssueByIdentifier(ctx(), "LOC-1")
	if err != nil || is.State != "Todo" || !is.UpdatedAt.Equal(touched) {
		t.Fatalf("the touched issue = %+v, %v", is, err)
	}
	if n := countsOf(tr).since(before); n != (counts{read: 1}) {
		t.Fatalf("a touch cost %d reads and %d parses, want 1 and 0", n.read, n.parsed)
	}
	writeOld(t, dir, "LOC-1.md", issueText("One", "Done"))
	if got := candidates(t, tr); len(got) != 0 {
		t.Fatalf("a changed file must be parsed again: %v", got)
	}
	if n := countsOf(tr).since(before); n != (counts{read: 2, parsed: 1}) {
		t.Fatalf("after an edit: %d reads and %d parses, want 2 and 1", n.read, n.parsed)
	}
}
