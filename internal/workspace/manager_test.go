package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewRejectsBadOptions(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name    string
		edit    func(*Options)
		mention string
	}{
		{"colliding repo keys", func(o *Options) {
			o.Repos = []Repo{{Key: "web/app"}, {Key: "web_app"}}
		}, `repo keys "web/app" and "web_app" both map to workspace directory "web_app"`},
		{"repo key takes trash dir", func(o *Options) { o.Repos = []Repo{{Key: ".trash"}} }, "trash_dir"},
		{"repo key is dotdot", func(o *Options) { o.Repos = []Repo{{Key: ".."}} }, "cannot name a directory"},
		{"empty root", func(o *Options) { o.Root = " " }, "workspaces.root is empty"},
		{"no repos", func(o *Options) { o.Repos = nil }, "no repositories"},
		{"unknown strategy", func(o *Options) { o.Repos[0].Strategy = "copy" }, `strategy "copy" is not supported`},
		{"worktree without repo", func(o *Options) { o.Repos[0].Strategy = StrategyWorktree }, "workspace.repo is required"},
		{"worktree repo missing", func(o *Options) {
			o.Repos[0].Strategy, o.Repos[0].PrimaryClone = StrategyWorktree, filepath.Join(e.dir, "nope")
		}, "is not a directory"},
		{"root inside primary clone", func(o *Options) {
			o.Repos[0].Strategy, o.Repos[0].PrimaryClone = StrategyWorktree, e.dir
		}, "must not contain each other"},
		{"unknown orphan action", func(o *Options) { o.Cleanup.OrphanAction = "shred" }, `orphan_action "shred"`},
		{"absolute trash dir", func(o *Options) { o.Cleanup.TrashDir = "/tmp/trash" }, "trash_dir"},
		{"escaping trash dir", func(o *Options) { o.Cleanup.TrashDir = "../trash" }, "trash_dir"},
		{"negative max age", func(o *Options) { o.Cleanup.MaxAgeDays = -1 }, "max_age_days"},
		{"negative hook timeout", func(o *Options) { o.Repos[0].Hooks.Timeout = -1 }, "timeout_ms"},
		{"option-like base branch", func(o *Options) {
			o.Repos[0].Strategy, o.Repos[0].PrimaryClone, o.Repos[0].BaseBranch = StrategyWorktree, e.outside, "--upload-pack=x"
		}, "base_branch"},
		{"filesystem root", func(o *Options) { o.Root = "/" }, "filesystem root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := e.options(Repo{Key: "web"})
			tt.edit(&opts)
			_, err := New(opts)
			wantCode(t, err, CodeInvalidOptions)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestEnsureCreatesPrivateDirectoryAndReuses(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web/app"}))
	ws, err := m.Ensure(ctxT(t), iss("web/app", "ENG-7"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(e.root, "web_app", "ENG-7"); ws.Path != want || !ws.CreatedNow {
		t.Fatalf("Ensure = %+v, want new workspace at %s", ws, want)
	}
	for _, p := range []string{ws.Path, filepath.Dir(ws.Path)} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s mode = %v (%v), want 0700", p, fi.Mode().Perm(), err)
		}
	}
	writeFile(t, filepath.Join(ws.Path, "work.txt"), "dirty\n")
	again, err := m.Ensure(ctxT(t), iss("web/app", "ENG-7"))
	if err != nil || again.CreatedNow || again.Path != ws.Path {
		t.Fatalf("second Ensure = %+v, %v; want reuse of %s", again, err, ws.Path)
	}
	if readFile(t, filepath.Join(ws.Path, "work.txt")) != "dirty\n" {
		t.Error("reusing the workspace lost its contents")
	}
	if err := m.Validate(ws); err != nil {
		t.Errorf("Validate of a fresh workspace: %v", err)
	}
	if p, err := m.Path("web/app", "ENG-7"); err != nil || p != ws.Path {
		t.Errorf("Path = %q, %v; want %q", p, err, ws.Path)
	}
	if _, err := m.Path("web/app", "../ENG-7"); CodeOf(err) != CodeInvalidIdentifier {
		t.Errorf("Path of a traversal identifier = %v, want %s", err, CodeInvalidIdentifier)
	}
}

func TestEnsureRefusesHostileIdentifiers(t *testing.T) {
	e := newTestEnv(t)
	marker := filepath.Join(e.outside, "hook-ran")
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{AfterCreate: "touch " + marker}}))
	before := e.outsideSnapshot(t)
	for _, id := range []string{"../../etc", "/abs", "..", "", strings.Repeat("x", 10000), "a\x00b", "..∕..∕outside", "..／outside", "..\\outside"} {
		_, err := m.Ensure(ctxT(t), iss("web", id))
		wantCode(t, err, CodeInvalidIdentifier)
	}
	if after := e.outsideSnapshot(t); after != before {
		t.Errorf("hostile identifiers changed files outside the root:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if entries, _ := os.ReadDir(e.root); len(entries) != 0 {
		t.Errorf("hostile identifiers created %d entries under the root", len(entries))
	}
}

func TestEnsureRejectsUnknownRepo(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web"}))
	_, err := m.Ensure(ctxT(t), iss("api", "ENG-1"))
	wantCode(t, err, CodeUnknownRepo)
}

// plantSymlink replaces path with a symlink to target.
func plantSymlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

func TestSymlinkedComponentIsRefused(t *testing.T) {
	e := newTestEnv(t)
	marker := filepath.Join(e.dir, "hook-ran")
	hooks := Hooks{BeforeRun: "touch " + marker + "; touch planted", BeforeRemove: "touch " + marker}
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: hooks}))

	t.Run("repo directory before create", func(t *testing.T) {
		if err := os.MkdirAll(e.root, 0o700); err != nil {
			t.Fatal(err)
		}
		plantSymlink(t, e.outside, filepath.Join(e.root, "web"))
		defer os.Remove(filepath.Join(e.root, "web"))
		before := e.outsideSnapshot(t)
		_, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
		wantCode(t, err, CodeSymlink)
		if after := e.outsideSnapshot(t); after != before {
			t.Errorf("Ensure wrote through the symlink:\n%s", after)
		}
	})

	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-2"))
	if err != nil {
		t.Fatal(err)
	}
	plantSymlink(t, e.outside, ws.Path)
	before := e.outsideSnapshot(t)

	t.Run("workspace before hook", func(t *testing.T) {
		err := m.BeforeRun(ctxT(t), ws, nil)
		wantCode(t, err, CodeSymlink)
	})
	t.Run("workspace before agent launch", func(t *testing.T) {
		wantCode(t, m.Validate(ws), CodeSymlink)
	})
	t.Run("workspace before delete", func(t *testing.T) {
		err := m.Remove(ctxT(t), "web", ws.IssueID, ws.Identifier)
		wantCode(t, err, CodeSymlink)
	})
	t.Run("workspace before reuse", func(t *testing.T) {
		_, err := m.Ensure(ctxT(t), iss("web", "ENG-2"))
		wantCode(t, err, CodeSymlink)
	})
	if after := e.outsideSnapshot(t); after != before {
		t.Errorf("files outside the root changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a hook ran in a symlinked workspace")
	}
}

func TestValidateRejectsForeignPath(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web"}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	other := ws
	other.Path = e.outside
	wantCode(t, m.Validate(other), CodeOutsideRoot)
	other.Path = filepath.Join(e.root, "web")
	wantCode(t, m.Validate(other), CodeOutsideRoot)
}

func TestRemoveTreeRefusesRootAndRepoDirectory(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web"}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{m.Root(), filepath.Dir(ws.Path), e.outside, filepath.Join(ws.Path, "..", "..", "..", "outside")} {
		if err := m.removeTree(p); err == nil {
			t.Errorf("removeTree(%s) succeeded", p)
		}
	}
	if !isDir(ws.Path) || !isDir(e.outside) {
		t.Error("a refused removal deleted something")
	}
}

func TestRootThroughSymlinkIsResolved(t *testing.T) {
	e := newTestEnv(t)
	real := filepath.Join(e.dir, "real-root")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(e.dir, "link-root")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	opts := e.options(Repo{Key: "web"})
	opts.Root = link
	m := e.manager(t, opts)
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(real, "web", "ENG-1"); ws.Path != want {
		t.Errorf("workspace path = %s, want %s under the resolved root", ws.Path, want)
	}
}
