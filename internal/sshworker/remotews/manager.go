// Package remotews manages issue workspaces on one SSH worker host, with the same methods
// and meaning as the local *workspace.Manager (the orchestrator's Workspaces): an absolute
// remote workspaces.root laid out <root>/<repo dir>/<issue key> as locally, clone or worktree
// population (for worktrees, workspace.repo names the primary clone on the host), the
// lifecycle hooks run on the host with the same variables and timeouts, and containment
// checked on the host's physical paths. Every value reaching a remote command line is
// validated by sshworker and quoted by it. Workspace locks are held on this machine, per host
// and workspace, since only this service dispatches to its hosts; a worktree repository's
// primary clone is locked on the host itself (workspace.PrimaryLockName), since other
// services, and several configured hosts that are one machine, may share it.
//
// An ssh failure (exit 255, or a remote command past its deadline) wraps
// sshworker.ErrWorkerHostUnavailable, so the scheduler blames the host, not the issue.
package remotews

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// ReservedDir is the directory under the remote workspaces.root that holds Symphony's own
// files on the host (agent session directories), so no repository may map onto it.
const ReservedDir = ".symphony"

// SessionsRoot is where agent sessions on a host keep their private directories, inside the
// remote workspaces.root (root) but beside every repository's workspaces, never inside one.
func SessionsRoot(root string) string { return path.Join(root, ReservedDir, "sessions") }

// BinDir is where programs Symphony copies to a host (the symphony binary, for the MCP shim
// of Claude sessions there) live, beside the sessions.
func BinDir(root string) string { return path.Join(root, ReservedDir, "bin") }

// validateTimeout bounds the check Validate runs on the host; Validate takes no context.
const validateTimeout = 30 * time.Second

// Options configure the workspaces of one host.
type Options struct {
	Host      sshworker.Host
	Transport sshworker.Transport
	// Workspaces is the same configuration local workspaces use: Root is the absolute
	// workspaces.root on the host, a worktree repo's PrimaryClone a path on the host.
	// Cleanup.MinFreeBytes drives CheckDisk; the other cleanup settings are not used here.
	Workspaces workspace.Options
	// LockRoot is a directory on this machine where the host's workspace locks live.
	LockRoot string
}

// Manager is the workspaces of one worker host. It is safe for concurrent use; git commands
// against one primary clone are serialized, as locally.
type Manager struct {
	host       sshworker.Host
	transport  sshworker.Transport
	root       string
	repos      map[string]*repo
	lockDir    string
	lockRoot   string
	gitTimeout time.Duration
	// primaryLockWait bounds the wait of a script for the primary clone's lock on the host.
	primaryLockWait time.Duration
	outputLimit     int
	minFree         uint64
	log             *slog.Logger

	diskMu   sync.Mutex
	freeKB   uint64
	measured bool
}

type repo struct {
	workspace.Repo
	dir   string // <root>/<repo dir> on the host
	gitMu sync.Mutex
}

// New checks opts and returns the host's manager; it connects to nothing.
func New(opts Options) (*Manager, error) {
	o := opts.Workspaces
	bad := func(format string, args ...any) error {
		return &workspace.Error{Code: workspace.CodeInvalidOptions, Msg: fmt.Sprintf("worker host %s: ", opts.Host) + fmt.Sprintf(format, args...)}
	}
	if opts.Host.Name == "" {
		return nil, bad("no host")
	}
	if err := sshworker.ValidateRemotePath(o.Root); err != nil || o.Root == "/" {
		return nil, bad("workspaces.root %q must be a plain absolute path below / on the host: %v", o.Root, err)
	}
	if len(o.Repos) == 0 {
		return nil, bad("no repositories configured")
	}
	if opts.LockRoot == "" || !filepath.IsAbs(opts.LockRoot) {
		return nil, bad("lock root %q must be an absolute local path", opts.LockRoot)
	}
	if o.GitTimeout <= 0 {
		o.GitTimeout = workspace.DefaultGitTimeout
	}
	if o.PrimaryLockTimeout <= 0 {
		o.PrimaryLockTimeout = o.GitTimeout
	}
	if o.HookOutputLimit <= 0 {
		o.HookOutputLimit = workspace.DefaultHookOutputLimit
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{host: opts.Host, transport: opts.Transport, root: o.Root, repos: map[string]*repo{},
		lockRoot: opts.LockRoot, gitTimeout: o.GitTimeout, primaryLockWait: o.PrimaryLockTimeout, outputLimit: o.HookOutputLimit,
		minFree: o.Cleanup.MinFreeBytes, log: o.Logger.With("worker_host", opts.Host.String())}
	m.lockDir = filepath.Join(opts.LockRoot, workspace.RepoDirName(opts.Host.String()))
	dirs := map[string]string{}
	for i, r := range o.Repos {
		where := fmt.Sprintf("repositories[%d]", i)
		dir := workspace.RepoDirName(r.Key)
		if r.Key == "" || dir == "." || dir == ".." {
			return nil, bad("%s.key %q cannot name a directory", where, r.Key)
		}
		if dir == ReservedDir {
			return nil, bad("%s.key %q maps to %q, which Symphony keeps for its own files on the host", where, r.Key, dir)
		}
		if other, taken := dirs[dir]; taken {
			return nil, bad("%s: repo keys %q and %q both map to workspace directory %q", where, other, r.Key, dir)
		}
		dirs[dir] = r.Key
		if r.Hooks.Timeout <= 0 {
			r.Hooks.Timeout = workspace.DefaultHookTimeout
		}
		switch r.Strategy {
		case "", workspace.StrategyClone:
			r.Strategy = workspace.StrategyClone
		case workspace.StrategyWorktree:
			if err := sshworker.ValidateRemotePath(r.PrimaryClone); err != nil {
				return nil, bad("%s.workspace.repo must be the primary clone's absolute path on the host: %v", where, err)
			}
			if sshworker.RemotePathUnder(o.Root, r.PrimaryClone) || sshworker.RemotePathUnder(r.PrimaryClone, o.Root) || r.PrimaryClone == o.Root {
				return nil, bad("%s: workspace.repo %s and workspaces.root %s must not contain each other", where, r.PrimaryClone, o.Root)
			}
			if r.BaseBranch != "" {
				if err := sshworker.ValidateBranchName(r.BaseBranch); err != nil {
					return nil, bad("%s.workspace.base_branch: %v", where, err)
				}
			}
		default:
			return nil, bad("%s.workspace.strategy %q is not supported; use clone or worktree", where, r.Strategy)
		}
		m.repos[r.Key] = &repo{Repo: r, dir: path.Join(o.Root, dir)}
	}
	return m, nil
}

// Root is workspaces.root on the host.
func (m *Manager) Root() string { return m.root }

// Host is the host these workspaces live on.
func (m *Manager) Host() sshworker.Host { return m.host }

func (m *Manager) repo(key string) (*repo, error) {
	r, ok := m.repos[key]
	if !ok {
		return nil, &workspace.Error{Code: workspace.CodeUnknownRepo, Msg: fmt.Sprintf("repo key %q is not configured", key)}
	}
	return r, nil
}

// describe computes an issue's workspace. Identifiers must pass both the local rules and the
// stricter character set of sshworker, since the identifier reaches remote command lines
// (SYMPHONY_ISSUE_IDENTIFIER, the auto/<identifier> branch).
func (m *Manager) describe(r *repo, issueID, identifier string) (workspace.Workspace, error) {
	if err := workspace.ValidateIdentifier(identifier); err != nil {
		return workspace.Workspace{}, err
	}
	if err := sshworker.ValidateIssueIdentifier(identifier); err != nil {
		return workspace.Workspace{}, &workspace.Error{Code: workspace.CodeInvalidIdentifier, Msg: "on worker host " + m.host.String(), Err: err}
	}
	ws := workspace.Workspace{RepoKey: r.Key, IssueID: issueID, Identifier: identifier,
		Key: workspace.Key(identifier), Strategy: r.Strategy}
	ws.Path = path.Join(r.dir, ws.Key)
	if r.Strategy == workspace.StrategyWorktree {
		ws.Branch = "auto/" + identifier
		if err := sshworker.ValidateBranchName(ws.Branch); err != nil {
			return workspace.Workspace{}, &workspace.Error{Code: workspace.CodeInvalidIdentifier, Msg: "on worker host " + m.host.String(), Err: err}
		}
	}
	if err := sshworker.ValidateRemotePath(ws.Path); err != nil || !sshworker.RemotePathUnder(m.root, ws.Path) {
		return workspace.Workspace{}, &workspace.Error{Code: workspace.CodeOutsideRoot, Msg: fmt.Sprintf("workspace %s is not a plain path inside %s on %s", ws.Path, m.root, m.host), Err: err}
	}
	return ws, nil
}

// Ensure returns the issue's workspace on the host, creating and populating it when absent
// and running after_create for a new one; a failed population or after_create removes what
// this call created. An existing workspace is reused as it is.
func (m *Manager) Ensure(ctx context.Context, iss issue.Issue) (workspace.Workspace, error) {
	r, err := m.repo(iss.RepoKey)
	if err != nil {
		return workspace.Workspace{}, err
	}
	ws, err := m.describe(r, iss.ID, iss.Identifier)
	if err != nil {
		return workspace.Workspace{}, err
	}
	var report prepareReport
	if r.Strategy == workspace.StrategyWorktree {
		report, err = m.prepareWorktree(ctx, r, ws)
	} else {
		report, err = m.prepare(ctx, ws, []string{"sh", "-c", prepareDirScript, "symphony-prepare", m.root, r.dir, ws.Path}, m.gitTimeout)
	}
	if err != nil {
		return workspace.Workspace{}, err
	}
	ws.CreatedNow = report.created
	if !report.created {
		return ws, nil
	}
	if err := m.runHook(ctx, workspace.HookAfterCreate, r.Hooks.AfterCreate, r, ws, nil); err != nil {
		m.discardNew(r, ws, report.newBranch)
		return workspace.Workspace{}, err
	}
	return ws, nil
}

func (m *Manager) prepareWorktree(ctx context.Context, r *repo, ws workspace.Workspace) (prepareReport, error) {
	base := "HEAD"
	if r.BaseBranch != "" {
		base = "origin/" + r.BaseBranch
	}
	fetch := "no"
	if r.FetchBeforeDispatch {
		fetch = "yes"
	}
	r.gitMu.Lock()
	defer r.gitMu.Unlock()
	return m.prepare(ctx, ws, []string{"sh", "-c", prepareWorktreeScript, "symphony-prepare", m.root, r.dir, ws.Path,
		r.PrimaryClone, ws.Branch, base, fetch, m.primaryLockSeconds()}, m.primaryGitTimeout())
}

// savedRefPattern is the only shape of ref the pull-request script reports as kept work.
var savedRefPattern = regexp.MustCompile(`^` + regexp.QuoteMeta(workspace.OrphanedRefPrefix) + `[0-9a-f]{40,64}$`)

// prepareReport is what a prepare script found on the host.
type prepareReport struct {
	created   bool
	newBranch bool
	saved     []string // refs a pull-request run's reset kept what it would have lost in
}

// prepare runs a prepare script and applies the physical half of the containment check to
// what it reports.
func (m *Manager) prepare(ctx context.Context, ws workspace.Workspace, remote []string, timeout time.Duration) (prepareReport, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := m.transport.Run(ctx, m.host, remote, nil)
	if err != nil {
		return prepareReport{}, m.scriptError("preparing workspace "+ws.Path, err)
	}
	var rep prepareReport
	var created, proot, pdir, newBranch, freeKB string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if ref, ok := strings.CutPrefix(line, markerSavedRef); ok && savedRefPattern.MatchString(ref) {
			rep.saved = append(rep.saved, ref)
		}
		for marker, into := range map[string]*string{markerCreated: &created, markerRoot: &proot, markerPath: &pdir,
			markerNewBranch: &newBranch, markerFreeKB: &freeKB} {
			if v, ok := strings.CutPrefix(line, marker); ok {
				*into = v
			}
		}
	}
	if (created != "yes" && created != "no") || proot == "" || pdir == "" {
		return rep, &workspace.Error{Code: workspace.CodeFilesystem, Msg: fmt.Sprintf("preparing workspace %s on %s: the host did not report its physical paths (output %q)", ws.Path, m.host, truncate(string(out), 300))}
	}
	if !sshworker.RemotePathUnder(proot, pdir) {
		return rep, &workspace.Error{Code: workspace.CodeOutsideRoot, Msg: fmt.Sprintf("workspace %s resolves to %s on %s, outside workspaces.root (%s)", ws.Path, pdir, m.host, proot)}
	}
	if kb, err := strconv.ParseUint(freeKB, 10, 64); err == nil {
		m.diskMu.Lock()
		m.freeKB, m.measured = kb, true
		m.diskMu.Unlock()
	}
	rep.created, rep.newBranch = created == "yes", newBranch == "yes"
	return rep, nil
}

// discardNew removes a workspace this call has just created and whose after_create failed,
// whatever became of the caller's context; removeWorkspace bounds the removal.
func (m *Manager) discardNew(r *repo, ws workspace.Workspace, newBranch bool) {
	ctx := context.Background()
	branch := ""
	if newBranch {
		branch = ws.Branch
	}
	if err := m.removeWorkspace(ctx, r, ws, branch); err != nil {
		m.log.Error("removing partially created remote workspace failed", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
	}
}

// Validate checks, right before an agent launch, that ws is the workspace Symphony computes
// for its issue and that it is a real directory physically inside the root on the host.
func (m *Manager) Validate(ws workspace.Workspace) error {
	r, err := m.repo(ws.RepoKey)
	if err != nil {
		return err
	}
	want, err := m.describe(r, ws.IssueID, ws.Identifier)
	if err != nil {
		return err
	}
	if ws.Path != want.Path {
		return &workspace.Error{Code: workspace.CodeOutsideRoot, Msg: fmt.Sprintf("workspace path %s is not %s, the workspace of %s on %s", ws.Path, want.Path, ws.Identifier, m.host)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), validateTimeout)
	defer cancel()
	if _, err := m.transport.Run(ctx, m.host, []string{"sh", "-c", validateScript, "symphony-validate", m.root, want.Path}, nil); err != nil {
		return m.scriptError("validating workspace "+want.Path, err)
	}
	return nil
}

// BeforeRun runs the before_run hook on the host; its failure or timeout aborts the attempt.
func (m *Manager) BeforeRun(ctx context.Context, ws workspace.Workspace, extraEnv map[string]string) error {
	r, err := m.repo(ws.RepoKey)
	if err != nil {
		return err
	}
	if err := m.Validate(ws); err != nil {
		return err
	}
	return m.runHook(ctx, workspace.HookBeforeRun, r.Hooks.BeforeRun, r, ws, extraEnv)
}

// AfterRun runs the after_run hook on the host; failures are logged and ignored (SPEC §9.4).
func (m *Manager) AfterRun(ctx context.Context, ws workspace.Workspace, extraEnv map[string]string) {
	r, err := m.repo(ws.RepoKey)
	if err == nil {
		err = m.Validate(ws)
	}
	if err == nil {
		err = m.runHook(ctx, workspace.HookAfterRun, r.Hooks.AfterRun, r, ws, extraEnv)
	}
	if err != nil {
		m.log.Warn("after_run skipped or failed; continuing", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
	}
}

// EnsurePR returns the workspace of a pull-request run on the host, as the local manager's
// EnsurePR does: a worktree of the primary clone on the pull request's head branch, reset to
// origin/<head>, with what the reset would lose kept under refs/symphony/orphaned/ in the
// primary clone (the returned refs). Only the worktree strategy can do this.
func (m *Manager) EnsurePR(ctx context.Context, iss issue.Issue, head string) (workspace.Workspace, []string, error) {
	r, err := m.repo(iss.RepoKey)
	if err != nil {
		return workspace.Workspace{}, nil, err
	}
	if r.Strategy != workspace.StrategyWorktree {
		return workspace.Workspace{}, nil, &workspace.Error{Code: workspace.CodeInvalidOptions,
			Msg: fmt.Sprintf("repository %s uses workspace strategy %q; pull-request runs need the worktree strategy", r.Key, r.Strategy)}
	}
	ws, err := m.describe(r, iss.ID, iss.Identifier)
	if err != nil {
		return workspace.Workspace{}, nil, err
	}
	if err := sshworker.ValidateBranchName(head); err != nil {
		return workspace.Workspace{}, nil, &workspace.Error{Code: workspace.CodeInvalidIdentifier,
			Msg: fmt.Sprintf("pull request head %q on worker host %s", head, m.host), Err: err}
	}
	ws.Branch = head
	r.gitMu.Lock()
	report, err := m.prepare(ctx, ws, []string{"sh", "-c", preparePRScript, "symphony-prepare-pr", m.root, r.dir, ws.Path,
		r.PrimaryClone, head, m.primaryLockSeconds()}, m.primaryGitTimeout())
	r.gitMu.Unlock()
	if err != nil {
		return workspace.Workspace{}, nil, err
	}
	ws.CreatedNow = report.created
	if report.created {
		if err := m.runHook(ctx, workspace.HookAfterCreate, r.Hooks.AfterCreate, r, ws, nil); err != nil {
			m.discardNew(r, ws, false)
			return workspace.Workspace{}, nil, err
		}
	}
	return ws, report.saved, nil
}

// Remove deletes the workspace of identifier on the host under its lock: before_remove
// (failure logged and ignored), then the directory; for worktrees the registration and the
// auto/<identifier> branch unless it holds commits found nowhere else. A missing workspace
// is not an error; a workspace an agent holds gives workspace_locked.
func (m *Manager) Remove(ctx context.Context, repoKey, issueID, identifier string) error {
	r, err := m.repo(repoKey)
	if err != nil {
		return err
	}
	ws, err := m.describe(r, issueID, identifier)
	if err != nil {
		return err
	}
	lock, err := m.lockFor(ws)
	if err != nil {
		return err
	}
	if err := m.runHook(ctx, workspace.HookBeforeRemove, r.Hooks.BeforeRemove, r, ws, nil); err != nil && !errors.Is(err, errNoWorkspace) {
		m.log.Warn("before_remove failed; removing anyway", "repo_key", ws.RepoKey,
			"issue_identifier", ws.Identifier, "workspace", ws.Path, "error", err.Error())
	}
	if err := m.removeWorkspace(ctx, r, ws, ws.Branch); err != nil {
		lock.Close()
		return err
	}
	return lock.Release()
}

func (m *Manager) removeWorkspace(ctx context.Context, r *repo, ws workspace.Workspace, branch string) error {
	timeout := m.gitTimeout
	remote := []string{"sh", "-c", removeDirScript, "symphony-remove", m.root, ws.Path}
	if r.Strategy == workspace.StrategyWorktree {
		r.gitMu.Lock()
		defer r.gitMu.Unlock()
		timeout = m.primaryGitTimeout()
		remote = []string{"sh", "-c", removeWorktreeScript, "symphony-remove", m.root, ws.Path, r.PrimaryClone, branch, m.primaryLockSeconds()}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := m.transport.Run(ctx, m.host, remote, nil); err != nil {
		return m.scriptError("removing workspace "+ws.Path, err)
	}
	return nil
}

// CheckDisk reports the free space of the root's filesystem on the host as the last Ensure
// measured it: it is called from the orchestrator loop, which must not wait on a network.
// Until a first measurement the guard does not pause dispatch.
func (m *Manager) CheckDisk() workspace.DiskStatus {
	st := workspace.DiskStatus{MinFreeBytes: m.minFree}
	if st.MinFreeBytes == 0 {
		return st
	}
	m.diskMu.Lock()
	free, measured := m.freeKB*1024, m.measured
	m.diskMu.Unlock()
	if !measured {
		return st
	}
	st.FreeBytes = free
	if free < st.MinFreeBytes {
		st.PauseDispatch = true
		st.Reason = fmt.Sprintf("%s on %s has %d bytes free, below workspaces.cleanup.min_free_bytes %d", m.root, m.host, free, st.MinFreeBytes)
	}
	return st
}

// Lock takes the workspace lock of an issue's workspace on this host without waiting; it
// lives on this machine, keyed by host and workspace.
func (m *Manager) Lock(repoKey, identifier string) (*workspace.Lock, error) {
	r, err := m.repo(repoKey)
	if err != nil {
		return nil, err
	}
	ws, err := m.describe(r, "", identifier)
	if err != nil {
		return nil, err
	}
	return m.lockFor(ws)
}

// lockFor locks the local stand-in path <lock root>/<host dir>/<remote path>; nothing is
// created there but the lock file under the lock root.
func (m *Manager) lockFor(ws workspace.Workspace) (*workspace.Lock, error) {
	return workspace.LockWorkspace(m.lockRoot, filepath.Join(m.lockDir, filepath.FromSlash(ws.Path)))
}

// primaryLockSeconds is the wait for the primary clone's lock as flock(1) -w takes it.
func (m *Manager) primaryLockSeconds() string {
	return strconv.FormatFloat(m.primaryLockWait.Seconds(), 'f', -1, 64)
}

// primaryGitTimeout bounds a script that locks the primary clone: the lock wait comes on top
// of the git work, so a script that waited its whole turn still has the full git timeout, and
// a lock timeout is reported as such rather than as ssh's deadline blamed on the host.
func (m *Manager) primaryGitTimeout() time.Duration { return m.primaryLockWait + m.gitTimeout }

// scriptError maps a failed remote script onto a workspace error code, keeping the ssh error
// (and with it ErrWorkerHostUnavailable) in the chain.
func (m *Manager) scriptError(what string, err error) error {
	var ce *sshworker.CommandError
	if !errors.As(err, &ce) || ce.HostUnavailable {
		return &workspace.Error{Code: workspace.CodeFilesystem, Msg: fmt.Sprintf("%s on %s", what, m.host), Err: err}
	}
	code := map[int]string{
		exitFilesystem:  workspace.CodeFilesystem,
		exitOutsideRoot: workspace.CodeOutsideRoot,
		exitGit:         workspace.CodeGitFailed,
		exitNotWorktree: workspace.CodeNotWorktree,
		exitBadBranch:   workspace.CodeInvalidIdentifier,
		exitUnpushed:    workspace.CodeFilesystem,
		exitElsewhere:   workspace.CodeBranchElsewhere,
		exitLockTimeout: workspace.CodePrimaryCloneBusy,
		exitNoFlock:     workspace.CodeGitFailed,
	}[ce.ExitCode]
	if code == "" {
		code = workspace.CodeFilesystem
	}
	return &workspace.Error{Code: code, Msg: fmt.Sprintf("%s on %s", what, m.host), Err: err}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Transport is how the manager reaches its host.
func (m *Manager) Transport() sshworker.Transport { return m.transport }
