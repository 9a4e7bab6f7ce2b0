package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cleanup never deletes a commit an agent made. A worktree's branch stays in the primary clone
// while it holds commits found nowhere else; a clone workspace's commits that no remote has are
// written to a git bundle beside the trashed orphans before the directory goes. SavedWork lists
// both, with the command that brings the work back.

// bundleSuffix and bundleInfoSuffix name a saved clone's bundle and the record describing it.
const (
	bundleSuffix     = ".bundle"
	bundleInfoSuffix = ".bundle.json"
)

// workspaceGitSafety keeps git, run by cleanup inside a directory an agent worked in, from
// starting programs the repository's own configuration names.
var workspaceGitSafety = []string{"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"}

// SavedKind says where a piece of saved work lives.
type SavedKind string

const (
	// SavedBranch is a worktree branch kept in the primary clone.
	SavedBranch SavedKind = "branch"
	// SavedBundle is a git bundle of a removed clone workspace.
	SavedBundle SavedKind = "bundle"
)

// Saved is work that cleanup kept instead of deleting.
type Saved struct {
	Kind       SavedKind `json:"kind"`
	RepoKey    string    `json:"repo_key"`
	Identifier string    `json:"identifier,omitempty"`
	IssueID    string    `json:"issue_id,omitempty"`
	// Location is the bundle file, or the primary clone holding the branch.
	Location string `json:"location"`
	// Branch is the kept branch (SavedBranch only).
	Branch string `json:"branch,omitempty"`
	// Commits counts the commits found nowhere else when the work was saved.
	Commits int       `json:"commits"`
	SavedAt time.Time `json:"saved_at,omitzero"`
	// Restore is the shell command that brings the work back.
	Restore string `json:"restore"`
}

// unsharedBranchCommits counts the commits of branch (in the primary clone) that neither a
// remote-tracking ref nor a local branch outside auto/ holds: what deleting it would lose.
func (m *Manager) unsharedBranchCommits(ctx context.Context, primary, branch string) (int, error) {
	out, err := m.git(ctx, primary, "rev-list", "--count", "refs/heads/"+branch,
		"--not", "--remotes", "--exclude=auto/*", "--branches")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// unpushedCommits counts the commits of a clone workspace's branches and HEAD that no
// remote-tracking ref holds. A directory that is not a git repository, or has no commit yet,
// has none.
func (m *Manager) unpushedCommits(ctx context.Context, dir string) (int, error) {
	isRepo, err := m.gitSucceeds(ctx, dir, append(workspaceGitSafety, "rev-parse", "--verify", "--quiet", "HEAD")...)
	if err != nil || !isRepo || !m.isRepositoryTop(ctx, dir) {
		return 0, nil
	}
	out, err := m.git(ctx, dir, append(workspaceGitSafety, "rev-list", "--count", "HEAD", "--branches", "--not", "--remotes")...)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// isRepositoryTop reports whether dir is itself the top of a work tree, so a workspace that is
// a plain directory inside some other repository is not mistaken for a clone.
func (m *Manager) isRepositoryTop(ctx context.Context, dir string) bool {
	top, err := m.git(ctx, dir, append(workspaceGitSafety, "rev-parse", "--show-toplevel")...)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(dir)
	return err == nil && filepath.Clean(strings.TrimSpace(top)) == real
}

// bundleInfo is the record written beside a bundle.
type bundleInfo struct {
	RepoKey    string    `json:"repo_key"`
	Identifier string    `json:"identifier"`
	IssueID    string    `json:"issue_id"`
	Origin     string    `json:"origin,omitempty"`
	Commits    int       `json:"commits"`
	SavedAt    time.Time `json:"saved_at"`
}

// saveUnpushed writes the commits of a clone workspace that no remote has to a bundle under
// <root>/<trash_dir>/<repo dir>/. It returns the bundle's path, or "" when there was nothing
// to save. An error means the work could not be saved and the workspace must stay.
func (m *Manager) saveUnpushed(ctx context.Context, repo *repoConfig, ws Workspace) (string, error) {
	n, err := m.unpushedCommits(ctx, ws.Path)
	if err != nil || n == 0 {
		return "", err
	}
	r, err := m.openRoot()
	if err != nil {
		return "", err
	}
	defer r.Close()
	destDir := filepath.Join(m.cleanup.TrashDir, repo.dir)
	if err := r.MkdirAll(destDir, 0o700); err != nil {
		return "", newError(CodeFilesystem, err, "creating "+filepath.Join(m.root, destDir))
	}
	now := m.now().UTC()
	base := filepath.Join(m.root, destDir, ws.Key+"-"+strconv.FormatInt(now.UnixNano(), 10))
	bundle := base + bundleSuffix
	args := append(workspaceGitSafety, "bundle", "create", "--quiet", bundle, "HEAD", "--branches", "--not", "--remotes")
	if _, err := m.git(ctx, ws.Path, args...); err != nil {
		_ = os.Remove(bundle)
		return "", err
	}
	origin, _ := m.git(ctx, ws.Path, append(workspaceGitSafety, "remote", "get-url", "origin")...)
	info, err := json.MarshalIndent(bundleInfo{RepoKey: repo.Key, Identifier: ws.Identifier, IssueID: ws.IssueID,
		Origin: strings.TrimSpace(origin), Commits: n, SavedAt: now}, "", "  ")
	if err == nil {
		err = os.WriteFile(base+bundleInfoSuffix, append(info, '\n'), 0o600)
	}
	if err != nil {
		_ = os.Remove(bundle)
		return "", newError(CodeFilesystem, err, "writing "+base+bundleInfoSuffix)
	}
	return bundle, nil
}

// SavedWork lists the work cleanup kept: worktree branches holding commits found nowhere else
// that have no worktree any more, and bundles of removed clone workspaces.
func (m *Manager) SavedWork(ctx context.Context) ([]Saved, error) {
	var out []Saved
	var errs []error
	for _, repo := range m.repoOrder {
		var found []Saved
		var err error
		if repo.Strategy == StrategyWorktree {
			found, err = m.keptBranches(ctx, repo)
		} else {
			found, err = m.savedBundles(repo)
		}
		out = append(out, found...)
		if err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", repo.Key, err))
		}
	}
	return out, errors.Join(errs...)
}

// keptBranches lists auto/ branches with no registered worktree whose commits exist nowhere else.
func (m *Manager) keptBranches(ctx context.Context, repo *repoConfig) ([]Saved, error) {
	release, err := m.lockPrimary(ctx, repo, "listing kept branches")
	if err != nil {
		return nil, err
	}
	defer release()
	refs, err := m.git(ctx, repo.PrimaryClone, "for-each-ref", "--format=%(refname:short)", "refs/heads/auto/")
	if err != nil {
		return nil, err
	}
	list, err := m.listWorktrees(ctx, repo.PrimaryClone)
	if err != nil {
		return nil, err
	}
	checkedOut := map[string]bool{}
	for _, w := range list {
		checkedOut[w.branch] = true
	}
	var out []Saved
	for _, branch := range strings.Fields(refs) {
		if checkedOut[branch] {
			continue
		}
		n, err := m.unsharedBranchCommits(ctx, repo.PrimaryClone, branch)
		if err != nil {
			return out, err
		}
		if n == 0 {
			continue
		}
		out = append(out, Saved{Kind: SavedBranch, RepoKey: repo.Key, Identifier: strings.TrimPrefix(branch, "auto/"),
			Location: repo.PrimaryClone, Branch: branch, Commits: n,
			Restore: fmt.Sprintf("git -C %s log %s  # or: git -C %s worktree add <dir> %s",
				shellWord(repo.PrimaryClone), branch, shellWord(repo.PrimaryClone), branch)})
	}
	return out, nil
}

// savedBundles lists the bundles saved for a clone repository, newest first.
func (m *Manager) savedBundles(repo *repoConfig) ([]Saved, error) {
	dir := filepath.Join(m.root, m.cleanup.TrashDir, repo.dir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, newError(CodeFilesystem, err, "listing "+dir)
	}
	var out []Saved
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, bundleSuffix) {
			continue
		}
		bundle := filepath.Join(dir, name)
		s := Saved{Kind: SavedBundle, RepoKey: repo.Key, Location: bundle}
		var info bundleInfo
		if b, err := os.ReadFile(strings.TrimSuffix(bundle, bundleSuffix) + bundleInfoSuffix); err == nil && json.Unmarshal(b, &info) == nil {
			s.Identifier, s.IssueID, s.Commits, s.SavedAt = info.Identifier, info.IssueID, info.Commits, info.SavedAt
		}
		s.Restore = restoreBundleCommand(bundle, info.Origin)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SavedAt.After(out[j].SavedAt) })
	return out, nil
}

// restoreBundleCommand brings a bundle's branches back as saved/* branches of a fresh clone of
// origin, which holds the commits the bundle builds on.
func restoreBundleCommand(bundle, origin string) string {
	if origin == "" {
		origin = "<origin url>"
	}
	return fmt.Sprintf("git clone %s restored && git -C restored fetch %s '+refs/heads/*:refs/heads/saved/*'",
		shellWord(origin), shellWord(bundle))
}

// shellWord quotes s for a POSIX shell when it holds anything but plain path characters.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
