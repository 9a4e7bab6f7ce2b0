package tracker

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable error kind shared by logs, the CLI and the API (SPEC §11.4).
type Code string

// Error kinds. The linear_* codes name Linear transport and payload failures; the others are
// provider-neutral.
const (
	CodeUnsupportedKind     Code = "unsupported_tracker_kind"
	CodeMissingAPIKey       Code = "missing_tracker_api_key"
	CodeMissingScope        Code = "missing_linear_scoping_filter"
	CodeInvalidSettings     Code = "invalid_tracker_settings"
	CodeUnknownRoute        Code = "unknown_repo_route"
	CodeRequest             Code = "linear_api_request"
	CodeStatus              Code = "linear_api_status"
	CodeGraphQL             Code = "linear_graphql_errors"
	CodeUnknownPayload      Code = "linear_unknown_payload"
	CodeMissingEndCursor    Code = "linear_missing_end_cursor"
	CodeMissingViewer       Code = "linear_missing_viewer_identity"
	CodeRateLimited         Code = "tracker_rate_limited"
	CodeIssueNotFound       Code = "issue_not_found"
	CodeStateNotFound       Code = "state_not_found"
	CodeCommentNotFound     Code = "comment_not_found"
	CodeMutationFailed      Code = "tracker_mutation_failed"
	CodeLocalIssueFile      Code = "local_issue_file"
	CodeUnsupportedSelector Code = "unsupported_route_selector"
	// CodeFileUploadStatus is a file upload the storage URL refused (a non-2xx PUT).
	CodeFileUploadStatus Code = "file_upload_status"
	// CodeTrackerRequest, CodeTrackerStatus and CodeTrackerResponse are the REST trackers'
	// (GitHub, GitLab, Jira) transport failure, refusal and unreadable answer.
	CodeTrackerRequest  Code = "tracker_request"
	CodeTrackerStatus   Code = "tracker_status"
	CodeTrackerResponse Code = "tracker_response"
	// CodeUnsupportedOperation is a request the provider has no way to carry out (a file
	// attachment on GitHub Issues).
	CodeUnsupportedOperation Code = "tracker_unsupported_operation"
)

// ErrAuthRejected is wrapped by errors of any code when the tracker refused the credentials
// themselves, which no retry can fix; callers test for it with errors.Is.
var ErrAuthRejected = errors.New("the tracker rejected the credentials")

// Error is a tracker failure with a stable code. Msg is the whole human message, including the
// text of any wrapped Err.
type Error struct {
	Code Code
	Msg  string
	// ResetAt is when a rate-limited tracker accepts requests again (zero when unknown or
	// when Code is not CodeRateLimited).
	ResetAt time.Time
	Err     error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Msg
	if !e.ResetAt.IsZero() {
		msg += " (retry after " + e.ResetAt.UTC().Format(time.RFC3339) + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted message; a %w verb wraps its operand.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// CodeOf returns the code of the first *Error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	var te *Error
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code Code) bool { return err != nil && CodeOf(err) == code }
