package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/testenv"
)

// commitIn makes one commit in a workspace, as an agent would, and returns its hash.
func commitIn(t *testing.T, dir, file, content string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, file), content)
	testenv.Git(t, dir, "add", file)
	testenv.Git(t, dir, "commit", "--quiet", "-m", "agent work on "+file)
	return testenv.GitOutput(t, dir, "rev-parse", "HEAD")
}

// doneCleanup runs startup cleanup with the issue in a terminal state, as when it moved to Done.
func doneCleanup(t *testing.T, m *Manager, ws Workspace) {
	t.Helper()
	done := issue.Issue{ID: ws.IssueID, Identifier: ws.Identifier, RepoKey: ws.RepoKey}
	outcomes, err := m.StartupCleanup(ctxT(t), fakeOwners{terminal: []issue.Issue{done}, tracked: []issue.Issue{done}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := outcomeFor(outcomes, ws.Path); !ok || o.Action != ActionRemove || o.Err != nil {
		t.Fatalf("cleanup outcome for %s = %+v (found %v), want a successful remove", ws.Path, o, ok)
	}
	if isDir(ws.Path) {
		t.Fatalf("workspace %s survived cleanup", ws.Path)
	}
}

func TestDoneWorktreeKeepsBranchWithUnpushedCommit(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-1")
	commit := commitIn(t, ws.Path, "work.txt", "agent work\n")

	doneCleanup(t, m, ws)

	if got := testenv.GitOutput(t, f.primary, "rev-parse", "refs/heads/auto/ENG-1"); got != commit {
		t.Fatalf("auto/ENG-1 points at %q after cleanup, want the unpushed commit %s", got, commit)
	}
	saved, err := m.SavedWork(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 || saved[0].Kind != SavedBranch || saved[0].Branch != "auto/ENG-1" || saved[0].Commits != 1 || saved[0].Identifier != "ENG-1" {
		t.Fatalf("SavedWork = %+v, want the kept branch auto/ENG-1 with 1 commit", saved)
	}
	if !strings.Contains(saved[0].Restore, "auto/ENG-1") || !strings.Contains(saved[0].Restore, f.primary) {
		t.Errorf("restore hint %q does not name the branch and the primary clone", saved[0].Restore)
	}
	if !strings.Contains(e.logs.String(), "kept workspace branch") {
		t.Errorf("logs do not say the branch was kept:\n%s", e.logs)
	}
}

func TestDoneWorktreeDeletesBranchWhoseCommitsArePushed(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-2")
	commitIn(t, ws.Path, "work.txt", "pushed work\n")
	testenv.Git(t, ws.Path, "push", "--quiet", "origin", "auto/ENG-2")

	doneCleanup(t, m, ws)

	if branchExists(t, f.primary, "auto/ENG-2") {
		t.Error("auto/ENG-2 survived although origin holds its commit")
	}
	if saved, err := m.SavedWork(ctxT(t)); err != nil || len(saved) != 0 {
		t.Errorf("SavedWork = %+v, %v; want nothing saved", saved, err)
	}
}

func cloneRepo(f gitFixture) Repo {
	return Repo{Key: "web", Hooks: Hooks{AfterCreate: "git clone --quiet '" + f.origin + "' ."}}
}

func TestDoneCloneSavesUnpushedCommitsToABundle(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(cloneRepo(f))
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-3")
	testenv.Git(t, ws.Path, "checkout", "--quiet", "-b", "feature")
	first := commitIn(t, ws.Path, "one.txt", "one\n")
	second := commitIn(t, ws.Path, "two.txt", "two\n")

	doneCleanup(t, m, ws)

	saved, err := m.SavedWork(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 || saved[0].Kind != SavedBundle || saved[0].Identifier != "ENG-3" || saved[0].Commits != 2 {
		t.Fatalf("SavedWork = %+v, want one bundle for ENG-3 with 2 commits", saved)
	}
	if _, err := os.Stat(saved[0].Location); err != nil || !within(m.Root(), saved[0].Location) {
		t.Fatalf("bundle %s (inside the workspace root: %v): %v", saved[0].Location, within(m.Root(), saved[0].Location), err)
	}

	// The restore command the listing prints brings both commits back.
	restoreDir := t.TempDir()
	cmd := exec.Command("bash", "-c", saved[0].Restore)
	cmd.Dir = restoreDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("restore command %q: %v\n%s", saved[0].Restore, err, out)
	}
	restored := filepath.Join(restoreDir, "restored")
	if got := testenv.GitOutput(t, restored, "rev-parse", "refs/heads/saved/feature"); got != second {
		t.Errorf("restored saved/feature = %s, want %s", got, second)
	}
	if got := testenv.GitOutput(t, restored, "rev-parse", "refs/heads/saved/feature~1"); got != first {
		t.Errorf("restored saved/feature~1 = %s, want %s", got, first)
	}
}

func TestDoneCloneWithNothingUnpushedLeavesNoBundle(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(cloneRepo(f))
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-4")
	commitIn(t, ws.Path, "pushed.txt", "pushed\n")
	testenv.Git(t, ws.Path, "push", "--quiet", "origin", "HEAD:refs/heads/eng-4")
	testenv.Git(t, ws.Path, "fetch", "--quiet", "origin")

	doneCleanup(t, m, ws)

	if saved, err := m.SavedWork(ctxT(t)); err != nil || len(saved) != 0 {
		t.Errorf("SavedWork = %+v, %v; want nothing saved", saved, err)
	}
}

func TestDonePlainDirectoryWorkspaceIsRemovedWithoutBundle(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web"})
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-5")
	writeFile(t, filepath.Join(ws.Path, "notes.txt"), "not a repository\n")

	doneCleanup(t, m, ws)

	if saved, err := m.SavedWork(ctxT(t)); err != nil || len(saved) != 0 {
		t.Errorf("SavedWork = %+v, %v; want nothing saved", saved, err)
	}
}

func TestCloneBundleFailureKeepsTheWorkspace(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(cloneRepo(f))
	opts.Cleanup = Cleanup{Enabled: true}
	m := e.manager(t, opts)
	ws := mustEnsure(t, m, "web", "ENG-6")
	commitIn(t, ws.Path, "work.txt", "work\n")
	// A file where the bundle directory must go makes saving impossible.
	writeFile(t, filepath.Join(e.root, DefaultTrashDir), "in the way\n")

	if err := m.Remove(ctxT(t), "web", ws.IssueID, ws.Identifier); err == nil {
		t.Fatal("Remove succeeded although the unpushed commit could not be saved")
	}
	if !isDir(ws.Path) {
		t.Fatal("the workspace holding an unsaved commit was deleted")
	}
}
