package remotews_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// prFixture is an origin with a develop branch and a primary clone of it, both on the host.
type prFixture struct {
	origin, primary string
}

func newPRFixture(t *testing.T) prFixture {
	t.Helper()
	testenv.Tool(t, "git")
	f := prFixture{origin: filepath.Join(t.TempDir(), "origin"), primary: filepath.Join(t.TempDir(), "primary")}
	testenv.Git(t, filepath.Dir(f.origin), "init", "--quiet", "-b", "main", f.origin)
	writeFile(t, filepath.Join(f.origin, "README.md"), "hello\n")
	testenv.Git(t, f.origin, "add", "README.md")
	testenv.Git(t, f.origin, "commit", "--quiet", "-m", "first")
	testenv.Git(t, f.origin, "branch", "develop")
	testenv.Git(t, f.origin, "branch", "release")
	testenv.Git(t, filepath.Dir(f.primary), "clone", "--quiet", f.origin, f.primary)
	return f
}

// pushDevelop moves origin's develop one commit ahead and returns its new head.
func (f prFixture) pushDevelop(t *testing.T, content string) string {
	t.Helper()
	testenv.Git(t, f.origin, "checkout", "--quiet", "develop")
	writeFile(t, filepath.Join(f.origin, "develop.txt"), content)
	testenv.Git(t, f.origin, "add", "develop.txt")
	testenv.Git(t, f.origin, "commit", "--quiet", "-m", "advance develop")
	head := testenv.GitOutput(t, f.origin, "rev-parse", "HEAD")
	testenv.Git(t, f.origin, "checkout", "--quiet", "main")
	return head
}

// A pull-request run on a worker host gets a worktree on the head branch at origin's tip;
// run again after local commits, a dirty edit and a new file, it keeps all of that under one
// orphaned ref in the primary clone before resetting to origin's new tip; a clean rerun
// keeps nothing.
func TestEnsurePROnARealHostResetsToTheHeadAndKeepsLocalWork(t *testing.T) {
	f := newPRFixture(t)
	m, _, root := hostManager(t, workspace.Repo{Key: "web", Strategy: workspace.StrategyWorktree, PrimaryClone: f.primary,
		Hooks: workspace.Hooks{AfterCreate: `git rev-parse --abbrev-ref HEAD > ../created-on`}})
	ctx := context.Background()
	pr := issue.Issue{ID: "pr-7", Identifier: "PR-7", RepoKey: "web"}
	ws, saved, err := m.EnsurePR(ctx, pr, "develop")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "web", "PR-7")
	if ws.Path != want || !ws.CreatedNow || ws.Branch != "develop" || len(saved) != 0 {
		t.Fatalf("EnsurePR = %+v, saved %v; want a new worktree on develop at %s with nothing saved", ws, saved, want)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(root, "web", "created-on"))); got != "develop" {
		t.Errorf("after_create ran on %q, want develop", got)
	}
	if got, tip := testenv.GitOutput(t, want, "rev-parse", "HEAD"), testenv.GitOutput(t, f.origin, "rev-parse", "develop"); got != tip {
		t.Fatalf("worktree at %s, want origin's develop %s", got, tip)
	}

	writeFile(t, filepath.Join(want, "develop.txt"), "local commit\n")
	testenv.Git(t, want, "add", "develop.txt")
	testenv.Git(t, want, "commit", "--quiet", "-m", "local only")
	localCommit := testenv.GitOutput(t, want, "rev-parse", "HEAD")
	writeFile(t, filepath.Join(want, "README.md"), "dirty edit\n")
	writeFile(t, filepath.Join(want, "new.txt"), "untracked\n")
	advanced := f.pushDevelop(t, "develop v2\n")

	ws, saved, err = m.EnsurePR(ctx, pr, "develop")
	if err != nil {
		t.Fatal(err)
	}
	if ws.CreatedNow || len(saved) != 1 || !strings.HasPrefix(saved[0], workspace.OrphanedRefPrefix) {
		t.Fatalf("reuse = %+v, saved %v; want the reused worktree and one orphaned ref", ws, saved)
	}
	if got := testenv.GitOutput(t, want, "rev-parse", "HEAD"); got != advanced {
		t.Errorf("worktree at %s after reuse, want origin's new develop %s", got, advanced)
	}
	if status := testenv.GitOutput(t, want, "status", "--porcelain"); status != "" {
		t.Errorf("worktree not clean after the reset: %q", status)
	}
	if parent := testenv.GitOutput(t, f.primary, "rev-parse", saved[0]+"^"); parent != localCommit {
		t.Errorf("the kept commit's parent is %s, want the local commit %s", parent, localCommit)
	}
	for file, content := range map[string]string{"README.md": "dirty edit", "new.txt": "untracked", "develop.txt": "local commit"} {
		if got := testenv.GitOutput(t, f.primary, "show", saved[0]+":"+file); got != content {
			t.Errorf("%s in the kept commit = %q, want %q", file, got, content)
		}
	}
	if _, saved, err = m.EnsurePR(ctx, pr, "develop"); err != nil || len(saved) != 0 {
		t.Errorf("clean reuse saved %v (%v), want nothing", saved, err)
	}
}

// The head branch checked out in another issue's worktree, a name git refuses, a clone
// repository and a plain directory in the workspace's place are each refused with their code,
// and nothing is written.
func TestEnsurePROnARealHostRefusals(t *testing.T) {
	f := newPRFixture(t)
	m, _, root := hostManager(t, workspace.Repo{Key: "web", Strategy: workspace.StrategyWorktree, PrimaryClone: f.primary})
	ctx := context.Background()
	if _, _, err := m.EnsurePR(ctx, issue.Issue{ID: "7", Identifier: "PR-7", RepoKey: "web"}, "develop"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, identifier, head, code string
	}{
		{"branch elsewhere", "PR-8", "develop", workspace.CodeBranchElsewhere},
		{"bad branch", "PR-9", "no..such", workspace.CodeInvalidIdentifier},
		{"hostile branch", "PR-9", "x;$(touch pwned)", workspace.CodeInvalidIdentifier},
	} {
		if _, _, err := m.EnsurePR(ctx, issue.Issue{ID: tc.identifier, Identifier: tc.identifier, RepoKey: "web"}, tc.head); workspace.CodeOf(err) != tc.code {
			t.Errorf("%s: EnsurePR = %v, want %s", tc.name, err, tc.code)
		}
	}
	if got := testenv.GitOutput(t, f.primary, "worktree", "list", "--porcelain"); strings.Contains(got, "PR-8") || strings.Contains(got, "PR-9") {
		t.Errorf("a refused run left a worktree:\n%s", got)
	}
	if err := os.MkdirAll(filepath.Join(root, "web", "PR-10"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.EnsurePR(ctx, issue.Issue{ID: "10", Identifier: "PR-10", RepoKey: "web"}, "release"); workspace.CodeOf(err) != workspace.CodeNotWorktree {
		t.Errorf("EnsurePR over a plain directory = %v, want %s", err, workspace.CodeNotWorktree)
	}
	clone := managerForRoot(t, m, filepath.Join(root, "clones"), workspace.Repo{Key: "web"})
	if _, _, err := clone.EnsurePR(ctx, issue.Issue{ID: "7", Identifier: "PR-7", RepoKey: "web"}, "develop"); workspace.CodeOf(err) != workspace.CodeInvalidOptions {
		t.Errorf("EnsurePR on a clone repository = %v, want %s", err, workspace.CodeInvalidOptions)
	}
}
