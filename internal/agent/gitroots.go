package agent

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// gitRevParseTimeout bounds the one git call GitMetadataRoots makes.
const gitRevParseTimeout = 10 * time.Second

// GitMetadataRoots returns the workspace's .git plus git's --git-dir and --git-common-dir,
// whatever the runtime: linked worktrees keep their metadata outside the workspace, and an
// agent's branch, commit and fetch must be able to write there, so every runtime's sandbox
// grants these. A workspace that is not a git repository yields just .git.
func GitMetadataRoots(ctx context.Context, workspace string) []string {
	roots := []string{filepath.Join(workspace, ".git")}
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
		return roots
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			roots = append(roots, filepath.Clean(line))
		}
	}
	return roots
}
