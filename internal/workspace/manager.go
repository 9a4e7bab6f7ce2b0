package workspace

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// Manager creates, checks, hooks and removes workspaces under one root. It is safe for
// concurrent use; git commands that change the same primary clone are serialized, also with
// other processes (see PrimaryLockName).
type Manager struct {
	root       string
	repos      map[string]*repoConfig
	repoOrder  []*repoConfig
	cleanup    Cleanup
	log        *slog.Logger
	gitTimeout time.Duration
	// primaryLockTimeout bounds the wait for another process's hold on a primary clone.
	primaryLockTimeout time.Duration
	outputLimit        int
	freeBytes          func(string) (uint64, error)
	now                func() time.Time
}

type repoConfig struct {
	Repo
	dir string
	// gitMu serializes worktree add/remove and branch changes in the primary clone within
	// this process; the primary clone's lock file (lockPrimary) does it across processes.
	gitMu sync.Mutex
	// gitCommonDir is where the primary clone's lock file lives, found under gitMu on first use.
	gitCommonDir string
}

// Workspace is one issue's directory as returned by Ensure.
type Workspace struct {
	Path       string
	RepoKey    string
	IssueID    string
	Identifier string
	// Key is the directory name under the repo directory (see Key).
	Key      string
	Strategy Strategy
	// Branch is auto/<identifier> for worktree workspaces and empty otherwise.
	Branch string
	// CreatedNow is true only when this Ensure call made the directory or worktree.
	CreatedNow bool
}

// New validates opts and returns a Manager. The root is resolved now but created lazily, by the
// first workspace that needs it.
func New(opts Options) (*Manager, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	root, err := realPath(opts.Root)
	if err != nil {
		return nil, newError(CodeInvalidOptions, err, fmt.Sprintf("resolving workspaces.root %q", opts.Root))
	}
	if filepath.Dir(root) == root {
		return nil, invalidOption("workspaces.root %q resolves to the filesystem root", opts.Root)
	}
	m := &Manager{
		root:               root,
		repos:              make(map[string]*repoConfig, len(opts.Repos)),
		cleanup:            opts.Cleanup,
		log:                opts.Logger,
		gitTimeout:         opts.GitTimeout,
		primaryLockTimeout: opts.PrimaryLockTimeout,
		outputLimit:        opts.HookOutputLimit,
		freeBytes:          opts.FreeBytes,
		now:                opts.Now,
	}
	for _, r := range opts.Repos {
		rc := &repoConfig{Repo: r, dir: RepoDirName(r.Key)}
		if r.Strategy == StrategyWorktree {
			primary, err := realPath(r.PrimaryClone)
			if err != nil {
				return nil, newError(CodeInvalidOptions, err, "resolving workspace.repo of "+r.Key)
			}
			if primary == root || within(root, primary) || within(primary, root) {
				return nil, invalidOption("repo %q: workspace.repo %s and workspaces.root %s must not contain each other", r.Key, primary, root)
			}
			rc.PrimaryClone = primary
		}
		m.repos[r.Key] = rc
		m.repoOrder = append(m.repoOrder, rc)
	}
	return m, nil
}

// Root returns the resolved absolute workspace root.
func (m *Manager) Root() string { return m.root }

func (m *Manager) repo(key string) (*repoConfig, error) {
	r, ok := m.repos[key]
	if !ok {
		return nil, newError(CodeUnknownRepo, nil, fmt.Sprintf("repo key %q is not configured", key))
	}
	return r, nil
}

// describe computes an issue's workspace without touching the filesystem beyond the
// containment check.
func (m *Manager) describe(repo *repoConfig, issueID, identifier string) (Workspace, error) {
	if err := ValidateIdentifier(identifier); err != nil {
		return Workspace{}, err
	}
	ws := Workspace{
		RepoKey:    repo.Key,
		IssueID:    issueID,
		Identifier: identifier,
		Key:        Key(identifier),
		Strategy:   repo.Strategy,
	}
	ws.Path = filepath.Join(m.root, repo.dir, ws.Key)
	if repo.Strategy == StrategyWorktree {
		ws.Branch = "auto/" + identifier
	}
	return ws, m.contain(ws.Path)
}

// Path returns where the workspace of identifier in repo repoKey lives, after checking it.
func (m *Manager) Path(repoKey, identifier string) (string, error) {
	repo, err := m.repo(repoKey)
	if err != nil {
		return "", err
	}
	ws, err := m.describe(repo, "", identifier)
	return ws.Path, err
}

// Ensure returns the issue's workspace in the repo named by iss.RepoKey, creating and
// populating it when absent and running after_create for a new one. A failed population or
// after_create removes what this call created; an existing workspace is reused as it is, so
// uncommitted work survives retries.
func (m *Manager) Ensure(ctx context.Context, iss issue.Issue) (Workspace, error) {
	repo, err := m.repo(iss.RepoKey)
	if err != nil {
		return Workspace{}, err
	}
	ws, err := m.describe(repo, iss.ID, iss.Identifier)
	if err != nil {
		return Workspace{}, err
	}
	var created, createdBranch bool
	switch repo.Strategy {
	case StrategyWorktree:
		created, createdBranch, err = m.ensureWorktree(ctx, repo, ws)
	default:
		created, err = m.makeDir(ws.Path)
	}
	if err != nil {
		return Workspace{}, err
	}
	ws.CreatedNow = created
	if !created {
		// Age GC measures time since the last dispatch, not since creation.
		now := m.now()
		if err := os.Chtimes(ws.Path, now, now); err != nil {
			return Workspace{}, newError(CodeFilesystem, err, "touching "+ws.Path)
		}
		return ws, nil
	}
	if err := m.runHook(ctx, HookAfterCreate, repo.Hooks.AfterCreate, repo, ws, nil); err != nil {
		m.discardNew(repo, ws, createdBranch)
		return Workspace{}, err
	}
	return ws, nil
}

// discardNew removes a workspace this process has just created and whose population failed.
// It deliberately ignores the caller's context: the cleanup must happen even when the attempt
// was cancelled.
func (m *Manager) discardNew(repo *repoConfig, ws Workspace, createdBranch bool) {
	ctx := context.Background()
	var err error
	if repo.Strategy == StrategyWorktree {
		branch := ""
		if createdBranch {
			branch = ws.Branch
		}
		err = m.removeWorktree(ctx, repo, ws.Path, branch, false)
	} else {
		err = m.removeTree(ws.Path)
	}
	if err != nil {
		m.log.Error("removing partially created workspace failed", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
	}
}

// Validate checks, right before an agent launch, that ws is still the directory Symphony would
// compute for its issue, inside the root, and free of planted symlinks.
func (m *Manager) Validate(ws Workspace) error {
	repo, err := m.repo(ws.RepoKey)
	if err != nil {
		return err
	}
	want, err := m.describe(repo, ws.IssueID, ws.Identifier)
	if err != nil {
		return err
	}
	if filepath.Clean(ws.Path) != want.Path {
		return newError(CodeOutsideRoot, nil, fmt.Sprintf("workspace path %s is not %s, the workspace of %s", ws.Path, want.Path, ws.Identifier))
	}
	fi, err := os.Lstat(want.Path)
	if err != nil {
		return newError(CodeFilesystem, err, "workspace "+want.Path+" is missing")
	}
	if !fi.IsDir() {
		return newError(CodeFilesystem, nil, "workspace "+want.Path+" is not a directory")
	}
	return nil
}

// BeforeRun runs the before_run hook; its failure or timeout must abort the attempt. extraEnv
// adds per-run variables such as SYMPHONY_VERIFICATION_PORT.
func (m *Manager) BeforeRun(ctx context.Context, ws Workspace, extraEnv map[string]string) error {
	repo, err := m.repo(ws.RepoKey)
	if err != nil {
		return err
	}
	if err := m.Validate(ws); err != nil {
		return err
	}
	return m.runHook(ctx, HookBeforeRun, repo.Hooks.BeforeRun, repo, ws, extraEnv)
}

// AfterRun runs the after_run hook. Failures are logged (by the hook runner) and ignored, as
// SPEC §9.4 requires, so nothing is returned.
func (m *Manager) AfterRun(ctx context.Context, ws Workspace, extraEnv map[string]string) {
	repo, err := m.repo(ws.RepoKey)
	if err == nil {
		err = m.Validate(ws)
	}
	if err == nil {
		err = m.runHook(ctx, HookAfterRun, repo.Hooks.AfterRun, repo, ws, extraEnv)
	}
	if err != nil {
		m.log.Warn("after_run skipped or failed; continuing", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
	}
}

// Remove deletes the workspace of identifier in repo repoKey: before_remove (failure logged and
// ignored), then the directory; for worktrees `git worktree remove --force` and the
// auto/<identifier> branch. A missing workspace is not an error. It holds the workspace lock
// throughout, so it never deletes a tree an agent still works in (that is workspace_locked,
// to be tried again later), and deletes the lock file once the workspace is gone.
func (m *Manager) Remove(ctx context.Context, repoKey, issueID, identifier string) error {
	repo, err := m.repo(repoKey)
	if err != nil {
		return err
	}
	ws, err := m.describe(repo, issueID, identifier)
	if err != nil {
		return err
	}
	return m.removeLocked(ctx, repo, ws)
}

// removeLocked removes a workspace under its lock and deletes the lock file after it. A
// workspace that is not there has nothing to lock, and gets no lock file.
func (m *Manager) removeLocked(ctx context.Context, repo *repoConfig, ws Workspace) error {
	present, err := exists(ws.Path)
	if err != nil {
		return newError(CodeFilesystem, err, "checking "+ws.Path)
	}
	if !present {
		return m.removeWorkspace(ctx, repo, ws)
	}
	lock, err := LockWorkspace(m.root, ws.Path)
	if err != nil {
		return err
	}
	if err := m.removeWorkspace(ctx, repo, ws); err != nil {
		lock.Close()
		return err
	}
	return lock.Release()
}

func (m *Manager) removeWorkspace(ctx context.Context, repo *repoConfig, ws Workspace) error {
	present, err := exists(ws.Path)
	if err != nil {
		return newError(CodeFilesystem, err, "checking "+ws.Path)
	}
	if present {
		if err := m.runHook(ctx, HookBeforeRemove, repo.Hooks.BeforeRemove, repo, ws, nil); err != nil {
			m.log.Warn("before_remove failed; removing anyway", "repo_key", ws.RepoKey,
				"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
		}
	}
	// The hook may have rearranged the filesystem; check again before deleting.
	if err := m.contain(ws.Path); err != nil {
		return err
	}
	if repo.Strategy == StrategyWorktree {
		return m.removeWorktree(ctx, repo, ws.Path, ws.Branch, ws.Branch == "")
	}
	if !present {
		return nil
	}
	bundle, err := m.saveUnpushed(ctx, repo, ws)
	if err != nil {
		return fmt.Errorf("keeping %s: its unpushed commits could not be saved: %w", ws.Path, err)
	}
	if bundle != "" {
		m.log.Info("saved unpushed commits before removing the workspace", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "bundle", bundle)
	}
	return m.removeTree(ws.Path)
}
