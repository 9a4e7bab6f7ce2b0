package jsonl

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// ExitKind says how a child that did not exit 0 ended.
type ExitKind int

// Ways a child ends other than exit status 0.
const (
	// ExitCode: it exited with a non-zero status.
	ExitCode ExitKind = iota
	// ExitSignal: a signal killed it.
	ExitSignal
	// ExitUnknown: its status could not be read (a wait error, or it has not exited yet).
	ExitUnknown
)

// ExitError describes a child that did not exit with status 0.
type ExitError struct {
	Kind ExitKind
	// Code is the exit status when Kind is ExitCode.
	Code int
	// Signal is the signal when Kind is ExitSignal.
	Signal syscall.Signal
	// Cause is the underlying error when Kind is ExitUnknown.
	Cause error
}

func (e *ExitError) Error() string {
	switch e.Kind {
	case ExitCode:
		return fmt.Sprintf("exited with status %d", e.Code)
	case ExitSignal:
		return fmt.Sprintf("killed by signal %d (%s)", int(e.Signal), e.Signal)
	}
	return fmt.Sprintf("exit status unknown: %v", e.Cause)
}

func (e *ExitError) Unwrap() error { return e.Cause }

// exitError turns the result of exec.Cmd.Wait into nil (status 0) or an *ExitError.
func exitError(waitErr error) error {
	if waitErr == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		return &ExitError{Kind: ExitUnknown, Cause: waitErr}
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
		switch {
		case ws.Signaled():
			return &ExitError{Kind: ExitSignal, Signal: ws.Signal()}
		case ws.Exited():
			return &ExitError{Kind: ExitCode, Code: ws.ExitStatus()}
		}
	}
	if code := ee.ExitCode(); code > 0 {
		return &ExitError{Kind: ExitCode, Code: code}
	}
	return &ExitError{Kind: ExitUnknown, Cause: waitErr}
}
