package prwatch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

var _ Workspaces = (*workspace.Manager)(nil)

// worktreeManager makes a bare origin, a primary clone of it and a worktree workspace
// manager over that clone, and creates ABC-1's workspace on branch auto/ABC-1 with one
// commit pushed to origin, as an agent that opened a pull request leaves it.
func worktreeManager(t *testing.T) (m *workspace.Manager, primary, wsPath string) {
	t.Helper()
	base := t.TempDir()
	origin, primary := filepath.Join(base, "origin.git"), filepath.Join(base, "primary")
	testenv.Git(t, base, "init", "--bare", "--initial-branch=main", origin)
	testenv.Git(t, base, "clone", origin, primary)
	if err := os.WriteFile(filepath.Join(primary, "README"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, primary, "add", "README")
	testenv.Git(t, primary, "commit", "-m", "init")
	testenv.Git(t, primary, "push", "origin", "main")
	m, err := workspace.New(workspace.Options{Root: filepath.Join(base, "workspaces"),
		Repos: []workspace.Repo{{Key: "web", Strategy: workspace.StrategyWorktree, PrimaryClone: primary}}})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := m.Ensure(context.Background(), issue.Issue{ID: "i1", Identifier: "ABC-1", RepoKey: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws.Path, "fix.go"), []byte("package fix\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, ws.Path, "add", "fix.go")
	testenv.Git(t, ws.Path, "commit", "-m", "fix")
	testenv.Git(t, ws.Path, "push", "origin", "auto/ABC-1")
	return m, primary, ws.Path
}

func branchExists(t *testing.T, primary, branch string) bool {
	t.Helper()
	return testenv.GitOutput(t, primary, "branch", "--list", branch) != ""
}

// TestMergedPullRequestRemovesItsWorkspaceAndBranchOnce ends the watch of a merged pull
// request by removing the issue's worktree and its auto/ branch through the workspace
// manager; while a run holds the workspace the removal waits, pending, and a restart
// finishes it.
func TestMergedPullRequestRemovesItsWorkspaceAndBranchOnce(t *testing.T) {
	h := newHarness(t)
	m, primary, wsPath := worktreeManager(t)
	s := h.settings()
	newPollers := func() *Pollers {
		p := h.pollers(s, h.tr, h.st)
		p.d.WorkspacesOn = onThisMachine(t, m)
		return p
	}
	ctx := context.Background()
	p := newPollers()
	p.reviewCycle(ctx)
	if _, err := os.Stat(wsPath); err != nil || h.row(pollerReview).Phase != phaseWatching {
		t.Fatalf("an open pull request's workspace: %v, phase %q", err, h.row(pollerReview).Phase)
	}

	lock, err := m.Lock("web", "ABC-1")
	if err != nil {
		t.Fatal(err)
	}
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != pendingPhase(actionCleanup) {
		t.Fatalf("with the workspace locked: phase %q", got)
	}
	if _, err := os.Stat(wsPath); err != nil || h.events.count("workspace_removed") != 0 {
		t.Fatalf("a locked workspace was removed: %v, events %v", err, h.events.kinds)
	}
	if err := lock.Release(); err != nil {
		t.Fatal(err)
	}

	// A restart: new pollers over the same store finish the pending removal.
	p = newPollers()
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	if _, err := os.Stat(wsPath); !os.IsNotExist(err) {
		t.Fatalf("the merged pull request's workspace is still there: %v", err)
	}
	if branchExists(t, primary, "auto/ABC-1") {
		t.Error("the auto/ABC-1 branch Symphony made is still in the primary clone")
	}
	if !branchExists(t, primary, "main") {
		t.Error("the primary clone lost its main branch")
	}
	if got := h.row(pollerReview).Phase; got != "done_merged" || h.events.count("workspace_removed") != 1 || h.events.count("pr_merged") != 1 {
		t.Fatalf("after the removal: phase %q, events %v", got, h.events.kinds)
	}
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	if h.events.count("workspace_removed") != 1 || h.events.count("pr_merged") != 1 {
		t.Fatalf("the clean-up ran twice: events %v", h.events.kinds)
	}
}

// TestClosedPullRequestKeepsABranchWithUnpushedWork removes the closed pull request's
// worktree but keeps its branch when it holds a commit found nowhere else, as the workspace
// manager's rules say.
func TestClosedPullRequestKeepsABranchWithUnpushedWork(t *testing.T) {
	h := newHarness(t)
	m, primary, wsPath := worktreeManager(t)
	if err := os.WriteFile(filepath.Join(wsPath, "more.go"), []byte("package fix\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, wsPath, "add", "more.go")
	testenv.Git(t, wsPath, "commit", "-m", "local only")
	p := h.pollers(h.settings(), h.tr, h.st)
	p.d.WorkspacesOn = onThisMachine(t, m)
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateClosed })
	p.reviewCycle(context.Background())
	if _, err := os.Stat(wsPath); !os.IsNotExist(err) {
		t.Fatalf("the closed pull request's workspace is still there: %v", err)
	}
	if !branchExists(t, primary, "auto/ABC-1") {
		t.Error("the branch holding an unpushed commit was deleted")
	}
	if got := h.row(pollerReview).Phase; got != "done_closed" || h.events.count("workspace_removed") != 1 {
		t.Fatalf("phase %q, events %v", got, h.events.kinds)
	}
}

// onThisMachine answers WorkspacesOn with m for this machine and fails the test for any host.
func onThisMachine(t *testing.T, m Workspaces) func(string) (Workspaces, error) {
	return func(host string) (Workspaces, error) {
		if host != "" {
			t.Errorf("workspaces asked of worker host %q for an issue that ran on this machine", host)
		}
		return m, nil
	}
}

// removalLog is a worker host's workspaces that records what it is asked to remove.
type removalLog struct {
	host    string
	removed *[]string
}

func (r removalLog) Remove(_ context.Context, repoKey, _, identifier string) error {
	*r.removed = append(*r.removed, r.host+" "+repoKey+"/"+identifier)
	return nil
}

// TestMergedPullRequestIsCleanedUpOnItsRunsHost: the workspace of an issue whose run went to a
// worker host is removed there, not on this machine.
func TestMergedPullRequestIsCleanedUpOnItsRunsHost(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	run, err := h.st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: "i1", IssueIdentifier: "ABC-1", WorkerHost: "build-1:22"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.RecordPullRequest(ctx, "web", run.ID, h.prURL); err != nil {
		t.Fatal(err)
	}
	h.finishRuns()
	var removed []string
	p := h.pollers(h.settings(), h.tr, h.st)
	p.d.WorkspacesOn = func(host string) (Workspaces, error) { return removalLog{host: host, removed: &removed}, nil }
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	p.reviewCycle(ctx)
	if len(removed) != 1 || removed[0] != "build-1:22 web/ABC-1" {
		t.Fatalf("removals %q, want the workspace on build-1:22", removed)
	}
}
