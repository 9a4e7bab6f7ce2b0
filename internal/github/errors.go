package github

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Stable error codes: the CLI, logs, tool results and run records all report these words.
const (
	CodeMissingToken    = "github_missing_token"
	CodeUnsupportedHost = "github_unsupported_host"
	CodeInvalidRemote   = "github_invalid_remote"
	CodeUnauthorized    = "github_unauthorized"
	CodeForbidden       = "github_forbidden"
	CodeNotFound        = "github_not_found"
	CodeValidation      = "github_validation"
	CodeRateLimited     = "github_rate_limited"
	CodeUnavailable     = "github_unavailable"
	CodeTimeout         = "github_timeout"
	CodeBadResponse     = "github_bad_response"
	CodeRequestFailed   = "github_request_failed"
)

// Error is every failure this package returns. Its message never contains the token.
type Error struct {
	Code string
	// Op names the call that failed, e.g. "create pull request".
	Op string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// Message is GitHub's own message (for github_validation: what it refused and why).
	Message string
	// ResetAt is when a rate limit lifts (github_rate_limited only).
	ResetAt time.Time
	err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("github")
	if e.Op != "" {
		b.WriteString(": " + e.Op)
	}
	b.WriteString(": " + e.Code)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if !e.ResetAt.IsZero() {
		b.WriteString("; limit resets at " + e.ResetAt.UTC().Format(time.RFC3339))
	}
	if e.err != nil && e.Message == "" {
		b.WriteString(": " + e.err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.err }

// ErrorCode returns the stable code of err, or "" when err did not come from this package.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
