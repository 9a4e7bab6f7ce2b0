package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/testenv"
)

type fakeOwners struct {
	terminal, tracked []issue.Issue
	err               error
}

func (f fakeOwners) TerminalIssues(context.Context) ([]issue.Issue, error) { return f.terminal, f.err }
func (f fakeOwners) TrackedIssues(context.Context) ([]issue.Issue, error)  { return f.tracked, f.err }

type fakeRunning struct {
	mu    sync.Mutex
	paths map[string]bool
}

func (f *fakeRunning) IsRunning(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paths[path]
}

// ageWorkspace makes path look idle for the given number of days.
func ageWorkspace(t *testing.T, path string, days int) {
	t.Helper()
	old := time.Now().Add(-time.Duration(days) * 24 * time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func mustEnsure(t *testing.T, m *Manager, repoKey, identifier string) Workspace {
	t.Helper()
	ws, err := m.Ensure(ctxT(t), iss(repoKey, identifier))
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func outcomeFor(outcomes []Outcome, path string) (Outcome, bool) {
	for _, o := range outcomes {
		if o.Path == path {
			return o, true
		}
	}
	return Outcome{}, false
}

func TestStartupCleanupRemovesTerminalWorkspaces(t *testing.T) {
	e := newTestEnv(t)
	removedLog := filepath.Join(e.dir, "removed.log")
	hooks := Hooks{BeforeRemove: `echo "$SYMPHONY_ISSUE_IDENTIFIER" >> '` + removedLog + `'`}
	opts := e.options(Repo{Key: "web", Hooks: hooks})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14}
	m := e.manager(t, opts)
	done := mustEnsure(t, m, "web", "ENG-1")
	active := mustEnsure(t, m, "web", "ENG-2")
	owners := fakeOwners{terminal: []issue.Issue{iss("web", "ENG-1")}, tracked: []issue.Issue{iss("web", "ENG-1"), iss("web", "ENG-2")}}

	outcomes, err := m.StartupCleanup(ctxT(t), owners, nil)
	if err != nil {
		t.Fatal(err)
	}
	if isDir(done.Path) || !isDir(active.Path) {
		t.Errorf("after startup cleanup: terminal kept=%v, active kept=%v; want only the active one", isDir(done.Path), isDir(active.Path))
	}
	if got := readFile(t, removedLog); got != "ENG-1\n" {
		t.Errorf("before_remove saw %q, want ENG-1 only", got)
	}
	if o, _ := outcomeFor(outcomes, done.Path); o.Owner != OwnerTerminal || o.Action != ActionRemove || o.Err != nil {
		t.Errorf("terminal outcome = %+v", o)
	}
}

func TestOrphanActions(t *testing.T) {
	tests := []struct {
		action    OrphanAction
		kept      bool
		trashed   bool
		logPhrase string
	}{
		{OrphanLog, true, false, "orphan workspace found"},
		{OrphanDelete, false, false, "workspace cleaned up"},
		{OrphanTrash, false, true, "workspace cleaned up"},
	}
	for _, tt := range tests {
		t.Run(string(tt.action), func(t *testing.T) {
			e := newTestEnv(t)
			opts := e.options(Repo{Key: "web"})
			opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14, OrphanAction: tt.action}
			m := e.manager(t, opts)
			orphan := mustEnsure(t, m, "web", "OLD-9")
			writeFile(t, filepath.Join(orphan.Path, "work.txt"), "left behind\n")
			owned := mustEnsure(t, m, "web", "ENG-1")

			outcomes, err := m.StartupCleanup(ctxT(t), fakeOwners{tracked: []issue.Issue{iss("web", "ENG-1")}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if isDir(orphan.Path) != tt.kept || !isDir(owned.Path) {
				t.Errorf("orphan kept=%v (want %v), owned kept=%v", isDir(orphan.Path), tt.kept, isDir(owned.Path))
			}
			trashed, _ := filepath.Glob(filepath.Join(e.root, ".trash", "web", "OLD-9-*", "work.txt"))
			if (len(trashed) == 1) != tt.trashed {
				t.Errorf("trash holds %v, want trashed=%v", trashed, tt.trashed)
			}
			if o, _ := outcomeFor(outcomes, orphan.Path); o.Owner != OwnerOrphan {
				t.Errorf("orphan outcome = %+v", o)
			}
			if !strings.Contains(e.logs.String(), tt.logPhrase) || !strings.Contains(e.logs.String(), "OLD-9") {
				t.Errorf("logs lack %q for the orphan:\n%s", tt.logPhrase, e.logs)
			}
		})
	}
}

func TestOrphanWorktreeDeleteRemovesItsBranch(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.Cleanup = Cleanup{Enabled: true, OrphanAction: OrphanDelete}
	m := e.manager(t, opts)
	orphan := mustEnsure(t, m, "web", "OLD-1")
	if _, err := m.StartupCleanup(ctxT(t), fakeOwners{}, nil); err != nil {
		t.Fatal(err)
	}
	if isDir(orphan.Path) || branchExists(t, f.primary, "auto/OLD-1") {
		t.Errorf("orphan worktree kept=%v, branch kept=%v; want both gone", isDir(orphan.Path), branchExists(t, f.primary, "auto/OLD-1"))
	}
}

func TestOrphanWorktreeTrashKeepsBranch(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.Cleanup = Cleanup{Enabled: true, OrphanAction: OrphanTrash}
	m := e.manager(t, opts)
	orphan := mustEnsure(t, m, "web", "OLD-2")
	if _, err := m.StartupCleanup(ctxT(t), fakeOwners{}, nil); err != nil {
		t.Fatal(err)
	}
	if isDir(orphan.Path) || !branchExists(t, f.primary, "auto/OLD-2") {
		t.Errorf("trashed worktree: directory kept=%v, branch kept=%v; want directory moved, branch kept",
			isDir(orphan.Path), branchExists(t, f.primary, "auto/OLD-2"))
	}
	if list := testenv.GitOutput(t, f.primary, "worktree", "list"); strings.Contains(list, "OLD-2") {
		t.Errorf("trashed worktree still registered:\n%s", list)
	}
}

func TestAgeCollectionSkipsRunningWorkspaces(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14}
	m := e.manager(t, opts)
	stale := mustEnsure(t, m, "web", "ENG-1")
	running := mustEnsure(t, m, "web", "ENG-2")
	fresh := mustEnsure(t, m, "web", "ENG-3")
	ageWorkspace(t, stale.Path, 30)
	ageWorkspace(t, running.Path, 30)
	ageWorkspace(t, fresh.Path, 3)

	outcomes, err := m.CollectAged(ctxT(t), &fakeRunning{paths: map[string]bool{running.Path: true}})
	if err != nil {
		t.Fatal(err)
	}
	if isDir(stale.Path) || !isDir(running.Path) || !isDir(fresh.Path) {
		t.Errorf("after age GC: stale=%v running=%v fresh=%v; want only the stale one gone",
			isDir(stale.Path), isDir(running.Path), isDir(fresh.Path))
	}
	if o, _ := outcomeFor(outcomes, running.Path); o.Owner != OwnerRunning || o.Action != ActionKeep {
		t.Errorf("running outcome = %+v", o)
	}
}

func TestEnsureRefreshesAgeOnReuse(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-1")
	ageWorkspace(t, ws.Path, 30)
	mustEnsure(t, m, "web", "ENG-1")
	if _, err := m.CollectAged(ctxT(t), nil); err != nil {
		t.Fatal(err)
	}
	if !isDir(ws.Path) {
		t.Error("a workspace dispatched again was collected as idle")
	}
}

func TestRunCollectorCollectsOnInterval(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 1, Interval: 20 * time.Millisecond}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-1")
	ageWorkspace(t, ws.Path, 2)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { m.RunCollector(ctx, nil); close(stopped) }()
	deadline := time.Now().Add(5 * time.Second)
	for isDir(ws.Path) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("RunCollector did not stop when its context ended")
	}
	if isDir(ws.Path) {
		t.Error("RunCollector never collected the idle workspace")
	}
}

func TestStartupCleanupWithTrackerDownDeletesNothing(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14, OrphanAction: OrphanDelete}
	m := e.manager(t, opts)
	var paths []string
	for _, id := range []string{"ENG-1", "ENG-2", "OLD-3"} {
		ws := mustEnsure(t, m, "web", id)
		ageWorkspace(t, ws.Path, 60)
		paths = append(paths, ws.Path)
	}
	down := errors.New("linear: 503 service unavailable")
	outcomes, err := m.StartupCleanup(ctxT(t), fakeOwners{err: down}, nil)
	if !errors.Is(err, down) {
		t.Fatalf("StartupCleanup error = %v, want it to carry the tracker failure", err)
	}
	for _, p := range paths {
		if !isDir(p) {
			t.Errorf("%s was deleted while ownership was unknown", p)
		}
		o, _ := outcomeFor(outcomes, p)
		if o.Owner != OwnerUnknown || o.Action != ActionKeep || !strings.Contains(o.Reason, "periodic age collection would remove it") {
			t.Errorf("outcome for %s = %+v, want unknown/keep noting the pending age collection", p, o)
		}
	}
}

func TestCleanupDisabledStillRemovesTerminalOnly(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: false, MaxAgeDays: 1, OrphanAction: OrphanDelete}
	m := e.manager(t, opts)
	done := mustEnsure(t, m, "web", "ENG-1")
	orphan := mustEnsure(t, m, "web", "OLD-2")
	ageWorkspace(t, orphan.Path, 30)
	if _, err := m.StartupCleanup(ctxT(t), fakeOwners{terminal: []issue.Issue{iss("", "ENG-1")}}, nil); err != nil {
		t.Fatal(err)
	}
	if isDir(done.Path) || !isDir(orphan.Path) {
		t.Errorf("terminal kept=%v orphan kept=%v; want terminal removed (any repo) and orphan kept", isDir(done.Path), isDir(orphan.Path))
	}
}

func TestInventory(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"}, Repo{Key: "api"})
	opts.Cleanup = Cleanup{Enabled: true, MaxAgeDays: 14, OrphanAction: OrphanTrash}
	m := e.manager(t, opts)
	done := mustEnsure(t, m, "web", "ENG-1")
	writeFile(t, filepath.Join(done.Path, "big.bin"), strings.Repeat("x", 4096))
	active := mustEnsure(t, m, "api", "ENG-2")
	orphan := mustEnsure(t, m, "api", "OLD-3")
	running := &fakeRunning{paths: map[string]bool{active.Path: true}}
	if err := os.Symlink(e.outside, filepath.Join(e.root, "web", "planted")); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(e.root, "retired-repo", "ENG-0")
	if err := os.MkdirAll(stray, 0o700); err != nil {
		t.Fatal(err)
	}
	owners := fakeOwners{terminal: []issue.Issue{iss("web", "ENG-1")}, tracked: []issue.Issue{iss("api", "ENG-2")}}

	entries, err := m.Inventory(ctxT(t), owners, running, true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		owner  OwnerState
		action Action
		size   int64
	}{
		done.Path:   {OwnerTerminal, ActionRemove, 4096},
		active.Path: {OwnerRunning, ActionKeep, 0},
		orphan.Path: {OwnerOrphan, ActionTrash, 0},
	}
	if len(entries) != len(want) {
		t.Fatalf("Inventory returned %d entries, want %d (the planted symlink must be skipped): %+v", len(entries), len(want), entries)
	}
	for _, en := range entries {
		w := want[en.Path]
		if en.Owner != w.owner || en.Action != w.action || en.SizeBytes != w.size || en.Reason == "" {
			t.Errorf("entry %s = owner %s action %s size %d reason %q; want %s %s %d",
				en.Path, en.Owner, en.Action, en.SizeBytes, en.Reason, w.owner, w.action, w.size)
		}
	}
	if !isDir(done.Path) || !isDir(orphan.Path) || !isDir(stray) {
		t.Error("Inventory changed the filesystem")
	}
	if !strings.Contains(e.logs.String(), "belongs to no configured repository") || !strings.Contains(e.logs.String(), "retired-repo") {
		t.Errorf("the directory of an unconfigured repo was not reported:\n%s", e.logs)
	}

	unknown, err := m.Inventory(ctxT(t), nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range unknown {
		if en.Owner != OwnerUnknown || en.Action != ActionKeep || en.SizeBytes != -1 {
			t.Errorf("without owners, entry %s = %+v; want unknown/keep/unmeasured", en.Path, en)
		}
	}
}

func TestCheckDisk(t *testing.T) {
	tests := []struct {
		name   string
		min    uint64
		free   uint64
		err    error
		pause  bool
		reason string
	}{
		{"unset", 0, 10, nil, false, ""},
		{"enough", 1000, 5000, nil, false, ""},
		{"below", 1000, 999, nil, true, "below workspaces.cleanup.min_free_bytes 1000"},
		{"unreadable", 1000, 0, errors.New("statfs: input/output error"), true, "cannot be checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			var probed string
			opts := e.options(Repo{Key: "web"})
			opts.Cleanup.MinFreeBytes = tt.min
			opts.FreeBytes = func(p string) (uint64, error) { probed = p; return tt.free, tt.err }
			st := e.manager(t, opts).CheckDisk()
			if st.PauseDispatch != tt.pause || !strings.Contains(st.Reason, tt.reason) {
				t.Errorf("CheckDisk = %+v, want pause=%v reason containing %q", st, tt.pause, tt.reason)
			}
			if tt.min != 0 && probed != e.dir {
				t.Errorf("probed %q; with the root not yet created the guard must measure its parent %q", probed, e.dir)
			}
		})
	}
}

func TestCheckDiskWithRealStatfs(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup.MinFreeBytes = 1
	st := e.manager(t, opts).CheckDisk()
	if st.PauseDispatch || st.FreeBytes == 0 {
		t.Errorf("CheckDisk on a real filesystem = %+v, want free space > 1 byte", st)
	}
}
