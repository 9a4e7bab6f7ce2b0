package verification

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/workflow"
)

// PortEnv is the variable hooks, the dev server and the agent find the run's port in.
const PortEnv = "SYMPHONY_VERIFICATION_PORT"

// CodeFailed is the error code of a dev server that never became healthy.
const CodeFailed = "verification_failed"

// Health checking follows the reference: one request every 250 ms, each allowed 250 ms.
const (
	healthInterval = 250 * time.Millisecond
	healthRequest  = 250 * time.Millisecond
)

// Spec is one run's dev server.
type Spec struct {
	// Command is verification.dev_server.start_cmd, run with sh -c in Dir.
	Command string
	Dir     string
	Port    int
	// Env is the environment the command starts with; PortEnv is added.
	Env []string
	// HealthURL may name the port as $SYMPHONY_VERIFICATION_PORT or ${SYMPHONY_VERIFICATION_PORT}.
	HealthURL     string
	HealthTimeout time.Duration
	// StopSignal is a signal name (TERM, INT, KILL, ...); StopTimeout is how long it gets
	// before SIGKILL.
	StopSignal  string
	StopTimeout time.Duration
}

// Error is a verification failure with its stable code.
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// Server is a started dev server.
type Server struct {
	spec   Spec
	cmd    *exec.Cmd
	exited chan struct{}
	// waitErr is how the command ended; read only after exited is closed.
	waitErr error
}

// Signal parses a stop_signal setting with the names WORKFLOW.md validation accepts.
func Signal(name string) (syscall.Signal, error) {
	sig, ok := workflow.SignalByName(name)
	if !ok {
		return 0, fmt.Errorf("verification.dev_server.stop_signal %q is not a known signal name", name)
	}
	return sig, nil
}

// HealthURL substitutes the port into a health_check_url.
func HealthURL(raw string, port int) string {
	p := strconv.Itoa(port)
	return strings.NewReplacer("${"+PortEnv+"}", p, "$"+PortEnv, p).Replace(raw)
}

// Start launches the dev server in its own session and waits until its health URL answers
// 200. A server that exits first, or is not healthy within HealthTimeout, is stopped and the
// error has code verification_failed.
func Start(ctx context.Context, spec Spec) (*Server, error) {
	if _, err := Signal(spec.StopSignal); err != nil {
		return nil, err
	}
	cmd := exec.Command("sh", "-c", spec.Command)
	cmd.Dir = spec.Dir
	cmd.Env = append(append([]string(nil), spec.Env...), PortEnv+"="+strconv.Itoa(spec.Port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer devNull.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devNull, devNull, devNull
	if err := cmd.Start(); err != nil {
		return nil, &Error{Code: CodeFailed, Detail: fmt.Sprintf("starting the dev server: %v", err)}
	}
	s := &Server{spec: spec, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// PID is the dev server's process group leader.
func (s *Server) PID() int { return s.cmd.Process.Pid }

func (s *Server) waitHealthy(ctx context.Context) error {
	url := HealthURL(s.spec.HealthURL, s.spec.Port)
	client := &http.Client{Timeout: healthRequest, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.NewTimer(s.spec.HealthTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(healthInterval)
	defer tick.Stop()
	last := "no answer yet"
	for {
		if status, err := probe(ctx, client, url); err == nil && status == http.StatusOK {
			return nil
		} else if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("HTTP %d", status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.exited:
			return &Error{Code: CodeFailed, Detail: fmt.Sprintf("the dev server exited before %s answered 200: %v", url, s.waitErr)}
		case <-deadline.C:
			return &Error{Code: CodeFailed, Detail: fmt.Sprintf("%s did not answer 200 within %s (last: %s)", url, s.spec.HealthTimeout, last)}
		case <-tick.C:
		}
	}
}

func probe(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			return 0, ue.Unwrap()
		}
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Stop sends the stop signal to the server's whole process group, waits StopTimeout, then
// SIGKILLs the group. It returns once the group leader is reaped; calling it twice is safe.
func (s *Server) Stop() {
	sig, _ := Signal(s.spec.StopSignal)
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, sig)
	timer := time.NewTimer(s.spec.StopTimeout)
	defer timer.Stop()
	select {
	case <-s.exited:
	case <-timer.C:
	}
	// The leader may be gone while children it spawned still hold the group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-s.exited
}
