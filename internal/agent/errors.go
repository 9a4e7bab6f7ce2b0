package agent

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable failure category shared by logs, the API and the CLI (SPEC §10.6).
type Code string

// Failure codes a session reports.
const (
	CodeCodexNotFound       Code = "codex_not_found"
	CodeInvalidWorkspaceCwd Code = "invalid_workspace_cwd"
	CodeInvalidOptions      Code = "invalid_agent_options"
	CodeResponseTimeout     Code = "response_timeout"
	CodeTurnTimeout         Code = "turn_timeout"
	CodePortExit            Code = "port_exit"
	CodeResponseError       Code = "response_error"
	CodeTurnFailed          Code = "turn_failed"
	CodeTurnCancelled       Code = "turn_cancelled"
	CodeTurnInputRequired   Code = "turn_input_required"
	// CodeToolFailureLoop is the human-attention block raised when the agent repeats the same
	// failing command or tool call too many times in a row; retrying would only repeat it.
	CodeToolFailureLoop Code = "tool_failure_circuit_breaker"
	// CodeReviewBlocked ends an attempt whose pre-push reviewer blocked the work with grounded
	// findings: the issue is escalated to a person, never retried.
	CodeReviewBlocked Code = "review_agent_blocked"
	CodeSessionClosed Code = "session_closed"
	// Codes of runtimes that run one process per turn and end it with a result line.
	CodeClaudeNotFound Code = "claude_not_found"
	CodeCommandTimeout Code = "command_timeout"
	CodeRateLimited    Code = "rate_limited"
	CodeNoResultEvent  Code = "no_result_event"
	CodeExitStatus     Code = "exit_status"
	CodeSettingsWrite  Code = "claude_settings_write_failed"
)

// Error is a session failure with a stable code.
type Error struct {
	Code    Code
	Message string
	// StderrTail is the last part of the agent's stderr, attached when the process exited.
	StderrTail string
	// ResetAt is when a refused usage or rate limit opens again, as the runtime reported it;
	// zero when it did not say.
	ResetAt time.Time
	Err     error
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	// Errorf already folds the cause into Message; other errors name it here.
	if e.Err != nil && !strings.HasSuffix(e.Message, e.Err.Error()) {
		msg += ": " + e.Err.Error()
	}
	if e.StderrTail != "" {
		msg += "\nstderr tail:\n" + e.StderrTail
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message; %w in format wraps as usual.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// CodeOf returns the code of the first *Error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// MessageOf returns the message of the first *Error in err's chain, without its code or the
// context callers wrapped it in, or "" when there is none.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// ResetAtOf returns when the rate or usage limit that failed err opens again: the reset
// time of a rate_limited *Error, or zero when err is no such failure or gave no time.
func ResetAtOf(err error) time.Time {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeRateLimited {
		return e.ResetAt
	}
	return time.Time{}
}

// NeedsHumanAttention reports whether a failure should block the issue for an operator
// instead of being retried.
func NeedsHumanAttention(err error) bool {
	code := CodeOf(err)
	return code == CodeToolFailureLoop || code == CodeReviewBlocked
}
