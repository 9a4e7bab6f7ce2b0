package workspace

import (
	"context"
	"fmt"
	"strings"
)

// ensureWorktree makes ws.Path a registered worktree of the primary clone on ws.Branch. An
// existing registered worktree is reused untouched; an existing directory that is not one is
// refused rather than overwritten.
func (m *Manager) ensureWorktree(ctx context.Context, repo *repoConfig, ws Workspace) (created, createdBranch bool, err error) {
	release, err := m.lockPrimary(ctx, repo, "adding worktree "+ws.Path)
	if err != nil {
		return false, false, err
	}
	defer release()
	primary := repo.PrimaryClone
	if repo.FetchBeforeDispatch {
		if _, err := m.git(ctx, primary, "fetch", "--quiet", "origin"); err != nil {
			return false, false, err
		}
	}
	list, err := m.listWorktrees(ctx, primary)
	if err != nil {
		return false, false, err
	}
	_, registered := findWorktree(list, ws.Path)
	present, err := exists(ws.Path)
	if err != nil {
		return false, false, newError(CodeFilesystem, err, "checking "+ws.Path)
	}
	switch {
	case present && registered:
		return false, false, nil
	case present:
		return false, false, newError(CodeNotWorktree, nil, fmt.Sprintf("%s exists but is not a worktree of %s; refusing to overwrite it", ws.Path, primary))
	case registered:
		// The directory vanished behind git's back; forget the stale registration first.
		if _, err := m.git(ctx, primary, "worktree", "prune"); err != nil {
			return false, false, err
		}
	}
	if _, err := m.git(ctx, primary, "check-ref-format", "--branch", ws.Branch); err != nil {
		return false, false, newError(CodeInvalidIdentifier, err, fmt.Sprintf("issue identifier %q does not make a valid git branch name", ws.Identifier))
	}
	branchExisted, err := m.gitSucceeds(ctx, primary, "rev-parse", "--verify", "--quiet", "refs/heads/"+ws.Branch)
	if err != nil {
		return false, false, err
	}
	// Creating the directory first (0700, through the containment checks) means git only ever
	// writes into a directory Symphony made.
	if _, err := m.makeDir(ws.Path); err != nil {
		return false, false, err
	}
	args := []string{"worktree", "add", ws.Path, ws.Branch}
	if !branchExisted {
		base := "HEAD"
		if repo.BaseBranch != "" {
			base = "origin/" + repo.BaseBranch
		}
		args = []string{"worktree", "add", "--no-track", "-b", ws.Branch, ws.Path, base}
	}
	if _, err := m.git(ctx, primary, args...); err != nil {
		m.undoWorktreeAdd(repo, ws, branchExisted)
		return false, false, err
	}
	return true, !branchExisted, nil
}

// undoWorktreeAdd removes what a failed `git worktree add` left behind: the directory, the
// registration, and the branch when it did not exist before.
func (m *Manager) undoWorktreeAdd(repo *repoConfig, ws Workspace, branchExisted bool) {
	ctx := context.Background()
	if err := m.removeTree(ws.Path); err != nil {
		m.log.Error("removing failed worktree directory", "workspace", ws.Path, "error", err.Error())
	}
	if _, err := m.git(ctx, repo.PrimaryClone, "worktree", "prune"); err != nil {
		m.log.Error("pruning worktrees", "repo_key", repo.Key, "error", err.Error())
	}
	if !branchExisted {
		m.deleteBranch(ctx, repo, ws.Branch)
	}
}

// removeWorktree unregisters and deletes the worktree at path, then deletes branch when it is
// not empty. With discoverBranch (an orphan, whose identifier is unknown) the worktree's own
// branch is deleted instead, provided it is one of Symphony's auto/ branches.
func (m *Manager) removeWorktree(ctx context.Context, repo *repoConfig, path, branch string, discoverBranch bool) error {
	if err := m.contain(path); err != nil {
		return err
	}
	release, err := m.lockPrimary(ctx, repo, "removing worktree "+path)
	if err != nil {
		return err
	}
	defer release()
	list, err := m.listWorktrees(ctx, repo.PrimaryClone)
	if err != nil {
		return err
	}
	if w, ok := findWorktree(list, path); ok {
		if discoverBranch && strings.HasPrefix(w.branch, "auto/") {
			branch = w.branch
		}
		if _, err := m.git(ctx, repo.PrimaryClone, "worktree", "remove", "--force", path); err != nil {
			m.log.Warn("git worktree remove failed; deleting the directory instead", "repo_key", repo.Key,
				"workspace", path, "error", err.Error())
		}
	}
	present, err := exists(path)
	if err != nil {
		return newError(CodeFilesystem, err, "checking "+path)
	}
	if present {
		if err := m.removeTree(path); err != nil {
			return err
		}
	}
	if _, err := m.git(ctx, repo.PrimaryClone, "worktree", "prune"); err != nil {
		return err
	}
	if branch != "" {
		m.deleteBranch(ctx, repo, branch)
	}
	return nil
}

// deleteBranch deletes a local branch if it exists and every commit on it is held elsewhere (a
// remote-tracking ref or a local branch outside auto/); a branch with commits found nowhere else
// is kept and listed by SavedWork. A failure is logged because the workspace itself is already
// gone and the branch can be deleted by hand.
func (m *Manager) deleteBranch(ctx context.Context, repo *repoConfig, branch string) {
	found, err := m.gitSucceeds(ctx, repo.PrimaryClone, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	if err == nil && found {
		var unshared int
		if unshared, err = m.unsharedBranchCommits(ctx, repo.PrimaryClone, branch); err == nil && unshared > 0 {
			m.log.Info("kept workspace branch: it holds commits found nowhere else", "repo_key", repo.Key,
				"branch", branch, "commits", unshared, "primary_clone", repo.PrimaryClone)
			return
		}
		if err == nil {
			_, err = m.git(ctx, repo.PrimaryClone, "branch", "-D", branch)
		}
	}
	if err != nil {
		m.log.Warn("deleting workspace branch failed", "repo_key", repo.Key, "branch", branch, "error", err.Error())
	}
}
