package workspace

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const gitStdoutLimit = 4 << 20

// git runs `git -C dir args...` with the configured timeout in its own process group and returns
// its stdout. Prompts are disabled so a credential request fails instead of hanging.
func (m *Manager) git(ctx context.Context, dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, m.gitTimeout)
	defer cancel()
	cmd := groupCommand(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	stdout, stderr := newCappedBuffer(gitStdoutLimit), newCappedBuffer(m.outputLimit)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	timedOut, err := runWithTimeout(ctx, cmd)
	if err == nil {
		return stdout.String(), nil
	}
	what := fmt.Sprintf("git %s (in %s)", strings.Join(args, " "), dir)
	if timedOut {
		return "", newError(CodeGitFailed, err, what+" exceeded "+m.gitTimeout.String())
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		err = fmt.Errorf("%w: %s", err, msg)
	}
	return "", newError(CodeGitFailed, err, what+" failed")
}

// gitSucceeds runs a git query whose only answer is its exit status (exit 1 means "no").
func (m *Manager) gitSucceeds(ctx context.Context, dir string, args ...string) (bool, error) {
	_, err := m.git(ctx, dir, args...)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 1 {
		return false, nil
	}
	return err == nil, err
}

// worktreeInfo is one entry of `git worktree list --porcelain`.
type worktreeInfo struct {
	path   string
	branch string
}

// listWorktrees returns the primary clone's registered worktrees with real (symlink-free) paths
// where they exist on disk.
func (m *Manager) listWorktrees(ctx context.Context, primary string) ([]worktreeInfo, error) {
	out, err := m.git(ctx, primary, "worktree", "list", "--porcelain")
	if err != nil {
		return nil, err
	}
	var list []worktreeInfo
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "worktree "); ok {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				p = real
			}
			list = append(list, worktreeInfo{path: filepath.Clean(p)})
		} else if b, ok := strings.CutPrefix(line, "branch refs/heads/"); ok && len(list) > 0 {
			list[len(list)-1].branch = b
		}
	}
	return list, sc.Err()
}

func findWorktree(list []worktreeInfo, path string) (worktreeInfo, bool) {
	for _, w := range list {
		if w.path == path {
			return w, true
		}
	}
	return worktreeInfo{}, false
}
