package workspace

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

func TestEnsurePRResetsToTheHeadAndKeepsLocalWork(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	pr := iss("web", "PR-7")
	ws, saved, err := m.EnsurePR(ctxT(t), pr, "develop")
	if err != nil {
		t.Fatal(err)
	}
	if !ws.CreatedNow || ws.Branch != "develop" || len(saved) != 0 {
		t.Fatalf("EnsurePR = %+v, saved %v; want a new worktree on develop with nothing saved", ws, saved)
	}
	if got, want := testenv.GitOutput(t, ws.Path, "rev-parse", "HEAD"), testenv.GitOutput(t, f.origin, "rev-parse", "develop"); got != want {
		t.Fatalf("worktree at %s, want origin's develop %s", got, want)
	}

	// Local-only work: a commit no remote has, then an uncommitted edit and a new file.
	writeFile(t, filepath.Join(ws.Path, "develop.txt"), "local commit\n")
	testenv.Git(t, ws.Path, "commit", "--quiet", "-am", "local only")
	localCommit := testenv.GitOutput(t, ws.Path, "rev-parse", "HEAD")
	writeFile(t, filepath.Join(ws.Path, "README.md"), "dirty edit\n")
	writeFile(t, filepath.Join(ws.Path, "new.txt"), "untracked\n")
	advanced := f.pushDevelop(t, "develop v2\n")

	ws, saved, err = m.EnsurePR(ctxT(t), pr, "develop")
	if err != nil {
		t.Fatal(err)
	}
	if ws.CreatedNow || len(saved) != 1 || !strings.HasPrefix(saved[0], OrphanedRefPrefix) {
		t.Fatalf("reuse = %+v, saved %v; want the reused worktree and one orphaned ref", ws, saved)
	}
	if got := testenv.GitOutput(t, ws.Path, "rev-parse", "HEAD"); got != advanced {
		t.Errorf("worktree at %s after reuse, want origin's new develop %s", got, advanced)
	}
	if status := testenv.GitOutput(t, ws.Path, "status", "--porcelain"); status != "" {
		t.Errorf("worktree not clean after the reset: %q", status)
	}
	kept := saved[0]
	if parent := testenv.GitOutput(t, f.primary, "rev-parse", kept+"^"); parent != localCommit {
		t.Errorf("the kept commit's parent is %s, want the local commit %s", parent, localCommit)
	}
	for file, want := range map[string]string{"README.md": "dirty edit", "new.txt": "untracked", "develop.txt": "local commit"} {
		if got := testenv.GitOutput(t, f.primary, "show", kept+":"+file); got != want {
			t.Errorf("%s in the kept commit = %q, want %q", file, got, want)
		}
	}

	// Nothing to keep: a clean reuse writes no ref.
	if _, saved, err = m.EnsurePR(ctxT(t), pr, "develop"); err != nil || len(saved) != 0 {
		t.Errorf("clean reuse saved %v (%v), want nothing", saved, err)
	}
}

func TestEnsurePRRefusals(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	if _, _, err := m.EnsurePR(ctxT(t), iss("web", "PR-7"), "develop"); err != nil {
		t.Fatal(err)
	}
	_, _, err := m.EnsurePR(ctxT(t), iss("web", "PR-8"), "develop")
	wantCode(t, err, CodeBranchElsewhere)
	_, _, err = m.EnsurePR(ctxT(t), iss("web", "PR-9"), "no..such")
	wantCode(t, err, CodeInvalidIdentifier)

	clone := e.manager(t, e.options(Repo{Key: "web", Strategy: StrategyClone}))
	_, _, err = clone.EnsurePR(ctxT(t), iss("web", "PR-7"), "develop")
	wantCode(t, err, CodeInvalidOptions)
}

// A pull-request run whose after_create fails leaves no worktree behind, as Ensure does; the
// removal takes the primary clone's lock, so the hook must run after EnsurePR released it.
func TestEnsurePRAfterCreateFailureRemovesTheWorktree(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{AfterCreate: "exit 4"})))
	_, _, err := m.EnsurePR(ctxT(t), iss("web", "PR-9"), "develop")
	wantCode(t, err, CodeHookFailed)
	if isDir(filepath.Join(e.root, "web", "PR-9")) {
		t.Error("the failed pull-request worktree was left behind")
	}
	if list := testenv.GitOutput(t, f.primary, "worktree", "list"); strings.Contains(list, "PR-9") {
		t.Errorf("the failed pull-request worktree is still registered:\n%s", list)
	}
}
