package sshworker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// DefaultCommandTimeout bounds a short remote command (a probe, a prepare or removal script)
// whose caller gave no deadline: a host that accepts the connection and then hangs must not
// hold a worker forever.
const DefaultCommandTimeout = 2 * time.Minute

// killWaitDelay is how long Run waits for ssh's pipes to close after killing it.
const killWaitDelay = 2 * time.Second

// CommandError is a remote command that ran to an exit status other than 0, or an ssh that
// could not reach the host (HostUnavailable, exit 255), or one the deadline ended.
type CommandError struct {
	Host     string
	ExitCode int // -1 when ssh was killed
	TimedOut bool
	Stderr   string // the last part of ssh's and the command's stderr
	// HostUnavailable is true for ssh's own failure (exit 255) or a timeout: the host, not the
	// command, is at fault. errors.Is(err, ErrWorkerHostUnavailable) reports the same.
	HostUnavailable bool
}

func (e *CommandError) Error() string {
	var what string
	switch {
	case e.TimedOut:
		what = "did not finish in time"
	case e.HostUnavailable:
		what = "could not be reached (ssh exit 255)"
	default:
		what = fmt.Sprintf("failed with exit status %d", e.ExitCode)
	}
	msg := fmt.Sprintf("ssh %s: remote command %s", e.Host, what)
	if line := SSHErrorLine([]byte(e.Stderr)); line != "" {
		msg += ": " + line
	}
	return msg
}

// Is lets callers test errors.Is(err, ErrWorkerHostUnavailable).
func (e *CommandError) Is(target error) bool {
	return target == ErrWorkerHostUnavailable && e.HostUnavailable
}

// maxStderr keeps the end of a remote command's stderr for errors and logs.
const maxStderr = 8 << 10

// Run runs remote on h and returns its stdout. stdin, when not nil, is copied to the remote
// command's standard input. ssh runs in its own process group, killed as a whole when ctx
// ends; without a deadline in ctx DefaultCommandTimeout applies.
func (t Transport) Run(ctx context.Context, h Host, remote []string, stdin io.Reader) ([]byte, error) {
	argv, err := t.Argv(h, remote)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCommandTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = killWaitDelay
	cmd.Stdin = stdin
	var stdout bytes.Buffer
	stderr := &tailBuffer{limit: maxStderr}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	runErr := cmd.Run()
	if runErr == nil {
		return stdout.Bytes(), nil
	}
	ce := &CommandError{Host: h.String(), ExitCode: -1, Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		ce.TimedOut, ce.HostUnavailable = true, true
	case errors.As(runErr, &exitErr):
		ce.ExitCode = exitErr.ExitCode()
		ce.HostUnavailable = ce.ExitCode == sshFailureExit
	default:
		return nil, fmt.Errorf("ssh %s: %w", h, runErr)
	}
	return stdout.Bytes(), ce
}

// ProbeTimeout bounds one probe of a host taken out of service.
const ProbeTimeout = 20 * time.Second

// ProbeHost checks that host (a workers.ssh_hosts entry) accepts a connection and runs a
// command, by `ssh host true`, within ctx's deadline or ProbeTimeout. A failure wraps
// ErrWorkerHostUnavailable.
func (t Transport) ProbeHost(ctx context.Context, host string) error {
	h, err := ParseHost(host)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	_, err = t.Run(ctx, h, []string{"true"}, nil)
	var ce *CommandError
	if errors.As(err, &ce) {
		ce.HostUnavailable = true // a host that cannot even run `true` is not usable
	}
	return err
}

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	limit int
	buf   []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.limit; over > 0 {
		b.buf = b.buf[over:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string { return string(b.buf) }
