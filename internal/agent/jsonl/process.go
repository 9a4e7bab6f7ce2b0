package jsonl

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Defaults for ProcessOptions fields left zero.
const (
	DefaultStderrTailBytes = 8 << 10
	// DefaultDrainAfterExit is how long stdout may stay open after the child exited: a
	// grandchild that inherited the pipe could otherwise keep the reader waiting forever.
	DefaultDrainAfterExit = 2 * time.Second
	// stderrSettle bounds how long StderrTail waits for the last stderr bytes after an exit.
	stderrSettle = time.Second
)

// ProcessOptions configure a child started by Start.
type ProcessOptions struct {
	Read ReadOptions
	// StderrTailBytes is how much of the end of stderr is kept; 0 means the default.
	StderrTailBytes int
	// DrainAfterExit is how long the reader may go on after the child exited; 0 means the
	// default.
	DrainAfterExit time.Duration
}

// Process is a running child whose stdout is a Stream. Its methods are safe for concurrent use.
type Process struct {
	cmd        *exec.Cmd
	pid        int
	writeMu    sync.Mutex
	stdin      *os.File
	tail       *tailBuffer
	stderrDone chan struct{}
	exited     chan struct{}
	exitErr    error
}

// Start starts cmd in its own process group (with Setpgid, which reaper.Command also sets)
// with pipes on its stdout and stderr, and a reader goroutine decoding stdout with decode.
// cmd's Stdout and Stderr must be unset. Its stdin is a pipe for WriteLine unless cmd.Stdin is
// already set: a runtime that takes its whole input up front (a prompt file) sets it there.
func Start[T any](cmd *exec.Cmd, opts ProcessOptions, decode Decoder[T]) (*Process, *Stream[T], error) {
	if cmd.Stdout != nil || cmd.Stderr != nil {
		return nil, nil, errors.New("jsonl: the command's stdout and stderr must be left to the transport")
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if opts.StderrTailBytes <= 0 {
		opts.StderrTailBytes = DefaultStderrTailBytes
	}
	if opts.DrainAfterExit <= 0 {
		opts.DrainAfterExit = DefaultDrainAfterExit
	}
	var pipes [6]*os.File
	first := 0
	if cmd.Stdin != nil {
		first = 2
	}
	for i := first; i < len(pipes); i += 2 {
		r, w, err := os.Pipe()
		if err != nil {
			closeFiles(pipes[first:i]...)
			return nil, nil, fmt.Errorf("jsonl: pipe: %w", err)
		}
		pipes[i], pipes[i+1] = r, w
	}
	inR, inW, outR, outW, errR, errW := pipes[0], pipes[1], pipes[2], pipes[3], pipes[4], pipes[5]
	growPipe(outR)
	if inR != nil {
		cmd.Stdin = inR
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		closeFiles(pipes[first:]...)
		return nil, nil, err
	}
	closeFiles(inR, outW, errW)
	p := &Process{cmd: cmd, pid: cmd.Process.Pid, tail: &tailBuffer{limit: opts.StderrTailBytes},
		stderrDone: make(chan struct{}), exited: make(chan struct{})}
	if inW != nil {
		p.stdin = inW
	}
	stream := Read(outR, opts.Read, decode)
	go func() {
		defer close(p.stderrDone)
		defer errR.Close()
		drain(errR, p.tail)
	}()
	go func() {
		awaitExit(p.pid)
		p.exitErr = exitError(cmd.Wait())
		close(p.exited)
		timer := time.NewTimer(opts.DrainAfterExit)
		defer timer.Stop()
		select {
		case <-stream.Done():
		case <-timer.C:
			stream.Close()
		}
		_ = outR.Close()
	}()
	return p, stream, nil
}

func closeFiles(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

// PID is the child's process id, which is also its process group id.
func (p *Process) PID() int { return p.pid }

// ErrStdinClosed is returned by WriteLine after CloseStdin, and when the caller gave the
// command its own stdin.
var ErrStdinClosed = errors.New("jsonl: stdin is closed")

// WriteLine writes line and a newline to the child's stdin as one write, failing with an
// error for which os.IsTimeout holds when the child does not take it within timeout (it
// stopped reading). Concurrent writes never interleave.
func (p *Process) WriteLine(line []byte, timeout time.Duration) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	if p.stdin == nil {
		return ErrStdinClosed
	}
	_ = p.stdin.SetWriteDeadline(time.Now().Add(timeout))
	_, err := p.stdin.Write(append(line[:len(line):len(line)], '\n'))
	return err
}

// CloseStdin closes the child's stdin, its cue to finish; later writes fail.
func (p *Process) CloseStdin() {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	if p.stdin != nil {
		_ = p.stdin.Close()
		p.stdin = nil
	}
}

// Signal sends sig to the child's whole process group.
func (p *Process) Signal(sig syscall.Signal) { _ = syscall.Kill(-p.pid, sig) }

// Exited closes when the child has exited and been reaped.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// ExitErr is how the child ended, valid once Exited is closed: nil only for exit status 0,
// otherwise an *ExitError.
func (p *Process) ExitErr() error {
	select {
	case <-p.exited:
		return p.exitErr
	default:
		return &ExitError{Kind: ExitUnknown, Cause: errors.New("the process is still running")}
	}
}

// StderrTail is the end of what the child wrote to stderr. After an exit it first waits,
// briefly, for the stderr pipe to reach its end, so the tail holds the child's last words.
func (p *Process) StderrTail() string {
	select {
	case <-p.exited:
		timer := time.NewTimer(stderrSettle)
		defer timer.Stop()
		select {
		case <-p.stderrDone:
		case <-timer.C:
		}
	default:
	}
	return p.tail.String()
}
