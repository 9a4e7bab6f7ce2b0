package workspace

import (
	"context"
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
)

// OrphanedRefPrefix is where work a pull-request run would otherwise overwrite is kept.
const OrphanedRefPrefix = "refs/symphony/orphaned/"

// savedIdentity signs the commit that keeps a dirty tree's changes, which no agent wrote as
// such; git refuses commit-tree without one.
var savedIdentity = []string{"-c", "user.name=Symphony", "-c", "user.email=symphony@localhost"}

// EnsurePR returns the workspace of an explicit pull-request run: a worktree of the primary
// clone on the pull request's head branch, reset to origin/<head>. Anything a reset or branch
// move would lose — a dirty tree, commits no remote has — is first kept under
// refs/symphony/orphaned/<sha> in the primary clone; the returned refs name what was kept.
func (m *Manager) EnsurePR(ctx context.Context, iss issue.Issue, head string) (Workspace, []string, error) {
	repo, err := m.repo(iss.RepoKey)
	if err != nil {
		return Workspace{}, nil, err
	}
	if repo.Strategy != StrategyWorktree {
		return Workspace{}, nil, newError(CodeInvalidOptions, nil, fmt.Sprintf("repository %s uses workspace strategy %q; pull-request runs need the worktree strategy", repo.Key, repo.Strategy))
	}
	ws, err := m.describe(repo, iss.ID, iss.Identifier)
	if err != nil {
		return Workspace{}, nil, err
	}
	ws.Branch = head
	created, saved, err := m.resetPRWorktree(ctx, repo, ws)
	if err != nil {
		return Workspace{}, nil, err
	}
	if !created {
		return ws, saved, nil
	}
	ws.CreatedNow = true
	// after_create runs without the primary clone's lock, as for Ensure: a hook may take
	// minutes, and removing the worktree it failed in takes the lock again.
	if err := m.runHook(ctx, HookAfterCreate, repo.Hooks.AfterCreate, repo, ws, nil); err != nil {
		m.discardNew(repo, ws, false)
		return Workspace{}, nil, err
	}
	return ws, saved, nil
}

// resetPRWorktree is the git half of EnsurePR, under the primary clone's lock: it makes
// ws.Path a worktree on ws.Branch reset to origin's tip, keeping what the reset would lose,
// and reports whether it created the worktree and the refs it kept.
func (m *Manager) resetPRWorktree(ctx context.Context, repo *repoConfig, ws Workspace) (created bool, saved []string, err error) {
	release, err := m.lockPrimary(ctx, repo, "resetting pull-request worktree "+ws.Path)
	if err != nil {
		return false, nil, err
	}
	defer release()
	primary, head := repo.PrimaryClone, ws.Branch
	if _, err := m.git(ctx, primary, "check-ref-format", "--branch", head); err != nil {
		return false, nil, newError(CodeInvalidIdentifier, err, fmt.Sprintf("pull request head %q is not a valid git branch name", head))
	}
	remote := "refs/remotes/origin/" + head
	if _, err := m.git(ctx, primary, "fetch", "--quiet", "origin", "+refs/heads/"+head+":"+remote); err != nil {
		return false, nil, err
	}
	list, err := m.listWorktrees(ctx, primary)
	if err != nil {
		return false, nil, err
	}
	for _, w := range list {
		if w.branch == head && w.path != ws.Path {
			return false, nil, newError(CodeBranchElsewhere, nil, fmt.Sprintf("branch %s is checked out in %s; a pull-request run needs it for itself", head, w.path))
		}
	}
	_, registered := findWorktree(list, ws.Path)
	present, err := exists(ws.Path)
	if err != nil {
		return false, nil, newError(CodeFilesystem, err, "checking "+ws.Path)
	}
	keep := func(ref string, err error) error {
		if ref != "" {
			saved = append(saved, ref)
		}
		return err
	}
	switch {
	case present && !registered:
		return false, nil, newError(CodeNotWorktree, nil, fmt.Sprintf("%s exists but is not a worktree of %s; refusing to overwrite it", ws.Path, primary))
	case present:
		if err := keep(m.keepDirtyWork(ctx, primary, ws.Path, head)); err != nil {
			return false, nil, err
		}
		if _, err := m.git(ctx, ws.Path, append(workspaceGitSafety, "checkout", "--quiet", "--force", "-B", head, remote)...); err != nil {
			return false, nil, err
		}
		if _, err := m.git(ctx, ws.Path, append(workspaceGitSafety, "clean", "--quiet", "-fd")...); err != nil {
			return false, nil, err
		}
		return false, saved, nil
	case registered:
		if _, err := m.git(ctx, primary, "worktree", "prune"); err != nil {
			return false, nil, err
		}
	}
	if err := keep(m.keepLocalCommits(ctx, primary, "refs/heads/"+head)); err != nil {
		return false, nil, err
	}
	if _, err := m.makeDir(ws.Path); err != nil {
		return false, nil, err
	}
	if _, err := m.git(ctx, primary, "worktree", "add", "--quiet", "--no-track", "-B", head, ws.Path, remote); err != nil {
		m.undoWorktreeAdd(repo, ws, true)
		return false, nil, err
	}
	return true, saved, nil
}

// keepDirtyWork keeps what the worktree at path holds that no remote has: uncommitted changes
// (as a commit on top of HEAD, made through the index the reset discards anyway) or local
// commits. It returns the ref it wrote, or "" when there was nothing to keep.
func (m *Manager) keepDirtyWork(ctx context.Context, primary, path, head string) (string, error) {
	status, err := m.git(ctx, path, append(workspaceGitSafety, "status", "--porcelain", "--untracked-files=all")...)
	if err != nil {
		return "", err
	}
	tip, err := m.git(ctx, path, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return "", err
	}
	tip = strings.TrimSpace(tip)
	if strings.TrimSpace(status) != "" {
		if _, err := m.git(ctx, path, append(workspaceGitSafety, "add", "--all")...); err != nil {
			return "", err
		}
		tree, err := m.git(ctx, path, append(workspaceGitSafety, "write-tree")...)
		if err != nil {
			return "", err
		}
		args := append(append(append([]string{}, workspaceGitSafety...), savedIdentity...), "commit-tree", strings.TrimSpace(tree), "-p", tip,
			"-m", "symphony: uncommitted work saved before resetting to origin/"+head)
		commit, err := m.git(ctx, path, args...)
		if err != nil {
			return "", err
		}
		tip = strings.TrimSpace(commit)
	}
	return m.keepLocalCommits(ctx, primary, tip)
}

// keepLocalCommits writes refs/symphony/orphaned/<sha> for rev when it holds commits no remote
// has; a missing rev (a branch not created yet) has nothing to keep.
func (m *Manager) keepLocalCommits(ctx context.Context, dir, rev string) (string, error) {
	if ok, err := m.gitSucceeds(ctx, dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); !ok {
		return "", err
	}
	sha, err := m.git(ctx, dir, "rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	sha = strings.TrimSpace(sha)
	count, err := m.git(ctx, dir, "rev-list", "--count", sha, "--not", "--remotes")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(count) == "0" {
		return "", nil
	}
	ref := OrphanedRefPrefix + sha
	if _, err := m.git(ctx, dir, "update-ref", ref, sha); err != nil {
		return "", err
	}
	return ref, nil
}
