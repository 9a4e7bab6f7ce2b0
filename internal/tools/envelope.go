package tools

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Error codes a tool call can fail with. They match the reference's words so WORKFLOW.md files
// and agents written for it read the same failures.
const (
	CodeInvalidArguments     = "invalid_arguments"
	CodeScopeArgument        = "scope_argument_rejected"
	CodeUnexpectedArguments  = "unexpected_arguments"
	CodeToolScope            = "tool_scope_rejected"
	CodeToolNotFound         = "tool_not_found"
	CodeStateNotFound        = "state_not_found"
	CodeCommentNotOwned      = "comment_not_owned_by_run"
	CodeSecretDetected       = "secret_pattern_detected"
	CodeInvalidBody          = "invalid_body"
	CodeInvalidCommentID     = "invalid_comment_id"
	CodeInvalidURL           = "invalid_url"
	CodeHostNotAllowed       = "host_not_allowed"
	CodeTitleTooLong         = "title_too_long"
	CodeTracker              = "tracker_request_failed"
	CodeMissingWorkspace     = "missing_workspace"
	CodeWorkspaceNotFound    = "workspace_not_found"
	CodePathOutsideWorkspace = "path_outside_workspace"
	CodeFileNotFound         = "file_not_found"
	CodeNotRegularFile       = "not_regular_file"
	CodePrivateSensitive     = "private_upload_denied_sensitive_filename"
	CodePublicSensitive      = "public_upload_denied_sensitive_filename"
	CodePublicExtension      = "public_extension_not_allowed"
	CodeFileTooLarge         = "file_upload_too_large"
)

// toolError is a refusal or failure with a stable code; Details carry machine-readable extras
// (the unexpected keys, the available states) beside the message.
type toolError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *toolError) Error() string { return e.Code + ": " + e.Message }

func fail(code, format string, args ...any) *toolError {
	return &toolError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// envelope is what every call returns to the model: success plus output, or the error.
type envelope struct {
	Success bool       `json:"success"`
	Output  any        `json:"output,omitempty"`
	Error   *toolError `json:"error,omitempty"`
}

// text encodes the envelope without HTML escaping: the model must read boundary tags as
// "<linear_issue_title>", not "\u003clinear_issue_title\u003e". Untrusted text inside them
// is already escaped by the prompt package.
func (e envelope) text() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		// Outputs are built from plain maps and strings; a failure here is a programming error
		// that must still reach the model as a failure rather than as empty success.
		return `{"success": false, "error": {"code": "internal_error", "message": "result could not be encoded"}}`
	}
	return strings.TrimSuffix(b.String(), "\n")
}
