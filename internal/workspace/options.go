package workspace

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Strategy is how a new workspace gets populated.
type Strategy string

const (
	// StrategyClone makes an empty directory; the after_create hook usually clones into it.
	StrategyClone Strategy = "clone"
	// StrategyWorktree adds a git worktree of the primary clone on branch auto/<identifier>.
	StrategyWorktree Strategy = "worktree"
)

// OrphanAction says what happens to a workspace directory no issue or run record owns.
type OrphanAction string

const (
	OrphanLog    OrphanAction = "log"
	OrphanDelete OrphanAction = "delete"
	OrphanTrash  OrphanAction = "trash"
)

// Default values applied to zero fields of Options.
const (
	DefaultHookTimeout      = 60 * time.Second
	DefaultGitTimeout       = 5 * time.Minute
	DefaultCleanupInterval  = time.Hour
	DefaultTrashDir         = ".trash"
	DefaultHookOutputLimit  = 8 << 10
	defaultProcessWaitDelay = 2 * time.Second
)

// Options is everything the package needs; the config layer maps symphony.yml onto it.
type Options struct {
	// Root is workspaces.root; it is made absolute and symlinks in it are resolved.
	Root  string
	Repos []Repo
	// Cleanup is workspaces.cleanup.
	Cleanup Cleanup
	Logger  *slog.Logger
	// GitTimeout bounds each git command; zero means DefaultGitTimeout.
	GitTimeout time.Duration
	// PrimaryLockTimeout bounds the wait for the lock of a primary clone another process is
	// changing; zero means GitTimeout. A holder spends nearly all its time in one git command
	// (a fetch, say), so a wait of one git timeout outlasts any healthy holder, and a longer
	// one means something is stuck: the attempt is better failed and retried than queued.
	PrimaryLockTimeout time.Duration
	// HookOutputLimit is how many bytes of a hook's combined output reach the logs; zero means
	// DefaultHookOutputLimit.
	HookOutputLimit int
	// FreeBytes reports the bytes available to unprivileged users on the filesystem holding
	// path; nil means the real statfs(2).
	FreeBytes func(path string) (uint64, error)
	// Now is the clock used for workspace ages; nil means time.Now.
	Now func() time.Time
}

// Repo is one repositories[] entry after repo-local WORKFLOW.md hooks have been merged in.
type Repo struct {
	Key string
	// Strategy defaults to StrategyClone when empty.
	Strategy Strategy
	// PrimaryClone is repositories[].workspace.repo, required for StrategyWorktree.
	PrimaryClone string
	// BaseBranch, when set, makes new worktree branches start at origin/<BaseBranch>.
	BaseBranch          string
	FetchBeforeDispatch bool
	Hooks               Hooks
}

// Hooks are shell scripts run at the workspace lifecycle points (SPEC §9.4).
type Hooks struct {
	AfterCreate  string
	BeforeRun    string
	AfterRun     string
	BeforeRemove string
	// Timeout applies to each hook run; zero means DefaultHookTimeout.
	Timeout time.Duration
}

// Cleanup is workspaces.cleanup.
type Cleanup struct {
	// Enabled turns on the orphan sweep and age GC. Terminal-issue cleanup at startup always runs.
	Enabled bool
	// MaxAgeDays is the age beyond which idle workspaces are reclaimed; zero disables age GC.
	MaxAgeDays int
	// Interval is how often the running service collects aged workspaces; zero means
	// DefaultCleanupInterval.
	Interval time.Duration
	// MinFreeBytes pauses dispatch while the root's filesystem has less free space; zero is unset.
	MinFreeBytes uint64
	// OrphanAction defaults to OrphanLog when empty.
	OrphanAction OrphanAction
	// TrashDir is relative to Root; empty means DefaultTrashDir.
	TrashDir string
}

func invalidOption(format string, args ...any) error {
	return newError(CodeInvalidOptions, nil, fmt.Sprintf(format, args...))
}

func (o *Options) normalize() error {
	if strings.TrimSpace(o.Root) == "" {
		return invalidOption("workspaces.root is empty")
	}
	if len(o.Repos) == 0 {
		return invalidOption("no repositories configured")
	}
	if o.GitTimeout < 0 || o.PrimaryLockTimeout < 0 || o.HookOutputLimit < 0 {
		return invalidOption("git timeout, primary lock timeout and hook output limit must not be negative")
	}
	if o.GitTimeout == 0 {
		o.GitTimeout = DefaultGitTimeout
	}
	if o.PrimaryLockTimeout == 0 {
		o.PrimaryLockTimeout = o.GitTimeout
	}
	if o.HookOutputLimit == 0 {
		o.HookOutputLimit = DefaultHookOutputLimit
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FreeBytes == nil {
		o.FreeBytes = statfsFreeBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := o.Cleanup.normalize(); err != nil {
		return err
	}
	trashTop := topDir(o.Cleanup.TrashDir)
	dirs := map[string]string{}
	for i := range o.Repos {
		r := &o.Repos[i]
		if err := r.normalize(i); err != nil {
			return err
		}
		dir := RepoDirName(r.Key)
		if other, taken := dirs[dir]; taken {
			return invalidOption("repositories[%d]: repo keys %q and %q both map to workspace directory %q", i, other, r.Key, dir)
		}
		if dir == trashTop {
			return invalidOption("repositories[%d]: repo key %q maps to %q, which workspaces.cleanup.trash_dir uses", i, r.Key, dir)
		}
		dirs[dir] = r.Key
	}
	return nil
}

func (c *Cleanup) normalize() error {
	switch {
	case c.MaxAgeDays < 0:
		return invalidOption("workspaces.cleanup.max_age_days is %d; it must not be negative", c.MaxAgeDays)
	case c.Interval < 0:
		return invalidOption("workspaces.cleanup.interval_ms is %s; it must not be negative", c.Interval)
	}
	if c.Interval == 0 {
		c.Interval = DefaultCleanupInterval
	}
	switch c.OrphanAction {
	case "":
		c.OrphanAction = OrphanLog
	case OrphanLog, OrphanDelete, OrphanTrash:
	default:
		return invalidOption("workspaces.cleanup.orphan_action %q is not supported; use log, delete or trash", c.OrphanAction)
	}
	if c.TrashDir == "" {
		c.TrashDir = DefaultTrashDir
	}
	clean := filepath.Clean(c.TrashDir)
	if filepath.IsAbs(clean) || clean == "." || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return invalidOption("workspaces.cleanup.trash_dir %q must be a relative path inside workspaces.root", c.TrashDir)
	}
	c.TrashDir = clean
	return nil
}

func (r *Repo) normalize(i int) error {
	where := fmt.Sprintf("repositories[%d]", i)
	if r.Key == "" {
		return invalidOption("%s.key is empty", where)
	}
	if dir := RepoDirName(r.Key); dir == "." || dir == ".." {
		return invalidOption("%s.key %q cannot name a directory", where, r.Key)
	}
	if r.Hooks.Timeout < 0 {
		return invalidOption("%s hooks.timeout_ms is %s; it must be positive", where, r.Hooks.Timeout)
	}
	if r.Hooks.Timeout == 0 {
		r.Hooks.Timeout = DefaultHookTimeout
	}
	if r.BaseBranch != "" && (strings.HasPrefix(r.BaseBranch, "-") || strings.IndexFunc(r.BaseBranch, unicode.IsSpace) >= 0 ||
		strings.IndexFunc(r.BaseBranch, unicode.IsControl) >= 0) {
		return invalidOption("%s.workspace.base_branch %q is not a usable branch name", where, r.BaseBranch)
	}
	switch r.Strategy {
	case "":
		r.Strategy = StrategyClone
	case StrategyClone:
	case StrategyWorktree:
		if r.PrimaryClone == "" {
			return invalidOption("%s.workspace.repo is required for the worktree strategy", where)
		}
		abs, err := filepath.Abs(r.PrimaryClone)
		if err != nil {
			return newError(CodeInvalidOptions, err, where+".workspace.repo")
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return newError(CodeInvalidOptions, err, fmt.Sprintf("%s.workspace.repo %q is not a directory", where, abs))
		}
		r.PrimaryClone = abs
	default:
		return invalidOption("%s.workspace.strategy %q is not supported; use clone or worktree", where, r.Strategy)
	}
	return nil
}
