package orchestrator

import (
	"context"
	"errors"
)

// StopReason says why the orchestrator ended an attempt early. Each reason decides a different
// run status and whether the issue is retried.
type StopReason string

// Stop reasons.
const (
	StopStalled  StopReason = "stalled"
	StopStuck    StopReason = "stuck"
	StopTerminal StopReason = "terminal_state"
	StopInactive StopReason = "inactive_state"
	StopOperator StopReason = "operator_stop"
	StopBudget   StopReason = "budget_exhausted"
	StopShutdown StopReason = "shutdown"
	StopTimeout  StopReason = "run_timeout"
)

// stopError is the cancellation cause a stopped worker sees and returns.
type stopError struct {
	Reason StopReason
	Detail string
}

func (e *stopError) Error() string {
	if e.Detail == "" {
		return "attempt stopped: " + string(e.Reason)
	}
	return "attempt stopped: " + string(e.Reason) + ": " + e.Detail
}

// stopReasonOf returns the stop reason carried by err, or "" when err is an ordinary failure.
func stopReasonOf(err error) StopReason {
	var se *stopError
	if errors.As(err, &se) {
		return se.Reason
	}
	return ""
}

// causeOr returns ctx's stop cause when it was stopped, else err.
func causeOr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && stopReasonOf(cause) != "" {
		return cause
	}
	return err
}
