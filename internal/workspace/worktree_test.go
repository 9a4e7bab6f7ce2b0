package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

func worktreeRepo(f gitFixture, hooks Hooks) Repo {
	return Repo{Key: "web", Strategy: StrategyWorktree, PrimaryClone: f.primary, FetchBeforeDispatch: true, Hooks: hooks}
}

func branchExists(t *testing.T, repo, branch string) bool {
	t.Helper()
	return strings.Contains(testenv.GitOutput(t, repo, "branch", "--list", branch), branch)
}

func TestWorktreeCreateReuseRemove(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !ws.CreatedNow || ws.Branch != "auto/ENG-1" {
		t.Fatalf("Ensure = %+v, want a new worktree on auto/ENG-1", ws)
	}
	if got := testenv.GitOutput(t, ws.Path, "rev-parse", "--abbrev-ref", "HEAD"); got != "auto/ENG-1" {
		t.Errorf("worktree is on %q, want auto/ENG-1", got)
	}
	if fi, err := os.Stat(ws.Path); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("worktree directory mode = %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	if got := testenv.GitOutput(t, f.primary, "rev-parse", "--abbrev-ref", "HEAD"); got != "main" {
		t.Errorf("the operator's checkout moved to %q", got)
	}

	writeFile(t, filepath.Join(ws.Path, "README.md"), "uncommitted edit\n")
	writeFile(t, filepath.Join(ws.Path, "new.txt"), "untracked\n")
	again, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil || again.CreatedNow {
		t.Fatalf("second Ensure = %+v, %v; want reuse", again, err)
	}
	if readFile(t, filepath.Join(ws.Path, "README.md")) != "uncommitted edit\n" || readFile(t, filepath.Join(ws.Path, "new.txt")) != "untracked\n" {
		t.Error("dirty work did not survive the second Ensure")
	}

	if err := m.Remove(ctxT(t), "web", ws.IssueID, ws.Identifier); err != nil {
		t.Fatal(err)
	}
	if isDir(ws.Path) {
		t.Error("worktree directory survived Remove")
	}
	if list := testenv.GitOutput(t, f.primary, "worktree", "list", "--porcelain"); strings.Contains(list, ws.Path) {
		t.Errorf("worktree still registered:\n%s", list)
	}
	if branchExists(t, f.primary, "auto/ENG-1") {
		t.Error("branch auto/ENG-1 survived Remove")
	}
}

func TestWorktreeBaseBranchAndFetch(t *testing.T) {
	for _, fetch := range []bool{true, false} {
		name := map[bool]string{true: "fetch", false: "no fetch"}[fetch]
		t.Run(name, func(t *testing.T) {
			f := newGitFixture(t)
			e := newTestEnv(t)
			oldTip := testenv.GitOutput(t, f.primary, "rev-parse", "origin/develop")
			newTip := f.pushDevelop(t, "develop v2\n")
			repo := worktreeRepo(f, Hooks{})
			repo.BaseBranch, repo.FetchBeforeDispatch = "develop", fetch
			m := e.manager(t, e.options(repo))
			ws, err := m.Ensure(ctxT(t), iss("web", "ENG-2"))
			if err != nil {
				t.Fatal(err)
			}
			want, content := oldTip, "develop v1\n"
			if fetch {
				want, content = newTip, "develop v2\n"
			}
			if got := testenv.GitOutput(t, ws.Path, "rev-parse", "HEAD"); got != want {
				t.Errorf("worktree starts at %s, want %s", got, want)
			}
			if got := readFile(t, filepath.Join(ws.Path, "develop.txt")); got != content {
				t.Errorf("develop.txt = %q, want %q", got, content)
			}
			if upstream, err := m.git(ctxT(t), ws.Path, "rev-parse", "--abbrev-ref", "@{upstream}"); err == nil {
				t.Errorf("auto branch tracks %q; it must not track the base branch", upstream)
			}
		})
	}
}

func TestWorktreeAfterCreateFailureRemovesWorktreeAndBranch(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{AfterCreate: "exit 4"})))
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-3"))
	wantCode(t, err, CodeHookFailed)
	if isDir(filepath.Join(e.root, "web", "ENG-3")) {
		t.Error("partial worktree directory left behind")
	}
	if branchExists(t, f.primary, "auto/ENG-3") {
		t.Error("branch created for the failed workspace was kept")
	}
	if list := testenv.GitOutput(t, f.primary, "worktree", "list"); strings.Contains(list, "ENG-3") {
		t.Errorf("failed worktree still registered:\n%s", list)
	}
}

func TestWorktreeKeepsPreexistingBranchOnFailure(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	testenv.Git(t, f.primary, "branch", "auto/ENG-4", "main")
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{AfterCreate: "exit 4"})))
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-4"))
	wantCode(t, err, CodeHookFailed)
	if !branchExists(t, f.primary, "auto/ENG-4") {
		t.Error("a branch that existed before Ensure was deleted by its failure cleanup")
	}
}

func TestWorktreeRefusesForeignDirectory(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	path := filepath.Join(e.root, "web", "ENG-5")
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(path, "notes.txt"), "mine\n")
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-5"))
	wantCode(t, err, CodeNotWorktree)
	if readFile(t, filepath.Join(path, "notes.txt")) != "mine\n" {
		t.Error("the existing directory was overwritten")
	}
}

func TestWorktreeRecreatesAfterDirectoryVanished(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-6"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(ws.Path); err != nil {
		t.Fatal(err)
	}
	again, err := m.Ensure(ctxT(t), iss("web", "ENG-6"))
	if err != nil || !again.CreatedNow {
		t.Fatalf("Ensure after the directory vanished = %+v, %v; want a recreated worktree", again, err)
	}
	if got := testenv.GitOutput(t, again.Path, "rev-parse", "--abbrev-ref", "HEAD"); got != "auto/ENG-6" {
		t.Errorf("recreated worktree is on %q", got)
	}
}

func TestWorktreeRejectsIdentifierGitCannotUse(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	_, err := m.Ensure(ctxT(t), iss("web", "ENG..7"))
	wantCode(t, err, CodeInvalidIdentifier)
	if entries, _ := os.ReadDir(filepath.Join(e.root, "web")); len(entries) != 0 {
		t.Errorf("a rejected identifier left %d entries behind", len(entries))
	}
}

func TestWorktreeFetchFailureFailsAttempt(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	testenv.Git(t, f.primary, "remote", "set-url", "origin", filepath.Join(e.dir, "missing.git"))
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-8"))
	wantCode(t, err, CodeGitFailed)
	if !strings.Contains(err.Error(), "fetch") {
		t.Errorf("error %q does not name the failing git command", err)
	}
}
