package agent

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/gitprobe"
)

// gitRevParseTimeout bounds the one git call GitMetadataRoots makes.
const gitRevParseTimeout = 10 * time.Second

// gitNotARepositoryExit is git's exit status when no repository is found.
const gitNotARepositoryExit = 128

// GitMetadataRoots returns the workspace's .git plus git's --git-dir and --git-common-dir,
// whatever the runtime: linked worktrees keep their metadata outside the workspace, and an
// agent's branch, commit and fetch must be able to write there, so every runtime's sandbox
// grants these. A workspace that is not a git repository yields just .git.
//
// The answer is cached per workspace for the service's life and reused while the .git entries
// git's discovery would look at (the workspace's and its parents', up to the first one found)
// are unchanged, so a session start runs no git when a workspace is reused. Nor does it for
// a workspace in no repository (gitprobe.NoRepository), whose answer git cannot change.
func GitMetadataRoots(ctx context.Context, workspace string) []string {
	probe := probeGitDiscovery(workspace)
	if roots, ok := gitRootsCache.lookup(workspace, probe); ok {
		return roots
	}
	roots, definite := []string{filepath.Join(workspace, ".git")}, true
	if _, set := os.LookupEnv("GIT_DIR"); set || !gitprobe.NoRepository(workspace) {
		roots, definite = revParseRoots(ctx, workspace)
	}
	if definite {
		gitRootsCache.store(workspace, probe, roots)
	}
	return roots
}

// revParseRoots asks git. definite is false when git could not give an answer (it is missing,
// timed out or failed for another reason than finding no repository), which is not cached.
func revParseRoots(ctx context.Context, workspace string) (roots []string, definite bool) {
	roots = []string{filepath.Join(workspace, ".git")}
	ctx, cancel := context.WithTimeout(ctx, gitRevParseTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir")
	cmd.Dir = workspace
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// git may start helpers (fsmonitor, hooks); a timeout ends the whole group.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		return roots, errors.As(err, &exit) && ctx.Err() == nil && exit.ExitCode() == gitNotARepositoryExit
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			roots = append(roots, filepath.Clean(line))
		}
	}
	return roots, true
}

// gitEntry is what a .git path looked like: absent, or its identity and last change.
type gitEntry struct {
	path    string
	exists  bool
	dev     uint64
	ino     uint64
	mode    os.FileMode
	size    int64
	modTime time.Time
}

// probeGitDiscovery records the .git entries git's repository discovery meets from dir
// upwards, stopping at the first that exists. A new, removed or rewritten .git (a clone into
// the workspace, a worktree link pointing elsewhere, a new commondir file) changes the probe.
func probeGitDiscovery(dir string) []gitEntry {
	var probe []gitEntry
	for {
		e := gitEntry{path: filepath.Join(dir, ".git")}
		if fi, err := os.Lstat(e.path); err == nil {
			e.exists, e.mode, e.size, e.modTime = true, fi.Mode(), fi.Size(), fi.ModTime()
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				e.dev, e.ino = uint64(st.Dev), st.Ino
			}
		}
		probe = append(probe, e)
		parent := filepath.Dir(dir)
		if e.exists || parent == dir {
			return probe
		}
		dir = parent
	}
}

// gitRootsCacheLimit bounds the cache; past it the cache starts over, which costs only git
// runs.
const gitRootsCacheLimit = 4096

type gitRootsEntry struct {
	probe []gitEntry
	roots []string
}

type gitRootsMemo struct {
	mu      sync.Mutex
	entries map[string]gitRootsEntry
}

var gitRootsCache = &gitRootsMemo{}

func (m *gitRootsMemo) lookup(workspace string, probe []gitEntry) ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[workspace]
	if !ok || !sameProbe(e.probe, probe) {
		return nil, false
	}
	return append([]string(nil), e.roots...), true
}

func (m *gitRootsMemo) store(workspace string, probe []gitEntry, roots []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil || len(m.entries) >= gitRootsCacheLimit {
		m.entries = map[string]gitRootsEntry{}
	}
	m.entries[workspace] = gitRootsEntry{probe: probe, roots: append([]string(nil), roots...)}
}

func sameProbe(a, b []gitEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].path != b[i].path || a[i].exists != b[i].exists || a[i].dev != b[i].dev || a[i].ino != b[i].ino ||
			a[i].mode != b[i].mode || a[i].size != b[i].size || !a[i].modTime.Equal(b[i].modTime) {
			return false
		}
	}
	return true
}
