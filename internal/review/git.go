package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// gitTimeout bounds each git command the reviewer's diff needs.
const gitTimeout = 30 * time.Second

// diffLimit is how much of the diff is kept; the prompt holds far less, and grounding only
// needs the hunks of the files findings name.
const diffLimit = 4 << 20

// Committed is the executor's committed work as the reviewer sees it.
type Committed struct {
	// Base is the comparison ref, MergeBase its merge base with HEAD.
	Base, MergeBase, Head string
	Diff                  string
}

// CommittedWork resolves the comparison base (origin/<baseBranch> when set, else the target
// of refs/remotes/origin/HEAD, else origin/main) and returns the diff from its merge base
// with HEAD. Each git command runs in its own process group under a timeout.
func CommittedWork(ctx context.Context, dir, baseBranch string) (Committed, error) {
	var c Committed
	switch {
	case baseBranch != "":
		c.Base = "origin/" + baseBranch
	default:
		if out, err := git(ctx, dir, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil && out != "" {
			c.Base = out
		} else {
			c.Base = "origin/main"
		}
	}
	var err error
	if c.Head, err = git(ctx, dir, "rev-parse", "--verify", "HEAD^{commit}"); err != nil {
		return c, err
	}
	if c.MergeBase, err = git(ctx, dir, "merge-base", c.Base, "HEAD"); err != nil {
		return c, err
	}
	c.Diff, err = git(ctx, dir, "diff", "--no-color", "--no-ext-diff", "--no-textconv", c.MergeBase+"..HEAD")
	return c, err
}

// git runs `git -C dir args...` with configuration that could run a program switched off (the
// workspace is the agent's), and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	full := append([]string{"-C", dir, "-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.hooksPath=/dev/null"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &capped{buf: &stdout, limit: diffLimit}, &capped{buf: &stderr, limit: 4 << 10}
	err := cmd.Run()
	what := "git " + strings.Join(args, " ")
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("%s in %s: exceeded %s", what, dir, gitTimeout)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", fmt.Errorf("%s in %s: %w", what, dir, err)
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// capped keeps the first limit bytes written and drains the rest.
type capped struct {
	buf   *bytes.Buffer
	limit int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.limit - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
