package workspace

import (
	"context"
	"errors"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// groupCommand builds a command that runs in its own process group; when ctx ends the whole
// group is killed, so grandchildren (a backgrounded sleep, a dev server) die with it.
func groupCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A grandchild that outlives its parent can hold the output pipes open; don't wait forever.
	cmd.WaitDelay = defaultProcessWaitDelay
	return cmd
}

// runWithTimeout runs cmd, built by groupCommand from a context derived with the same timeout,
// and reports whether the deadline (rather than the caller) ended it. Whatever the command
// left running in its process group (a backgrounded dev server, say) is killed when it exits:
// nothing a hook or git starts outlives it. A command that exited successfully is not failed
// merely because such a leftover kept its output pipes open past the wait delay.
func runWithTimeout(ctx context.Context, cmd *exec.Cmd) (timedOut bool, err error) {
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true, err
	}
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		err = nil
	}
	return false, err
}

// cappedBuffer keeps the first limit bytes written to it and counts the rest, so a chatty child
// cannot grow Symphony's memory or flood the logs.
type cappedBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	total int64
}

func newCappedBuffer(limit int) *cappedBuffer { return &cappedBuffer{limit: limit} }

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total += int64(len(p))
	if room := c.limit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// Truncated reports whether more was written than kept.
func (c *cappedBuffer) Truncated() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total > int64(len(c.buf))
}

func (c *cappedBuffer) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func elapsedMs(start time.Time) int64 { return time.Since(start).Milliseconds() }
