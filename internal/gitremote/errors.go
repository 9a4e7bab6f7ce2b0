package gitremote

import "fmt"

// Codes a push, fetch or capture fails with; the tool host passes them to the model as is.
const (
	CodeMissingWorkspace = "missing_workspace"
	CodeNotGitHub        = "missing_github_origin_repo"
	CodeDetachedHead     = "detached_head"
	CodeBranchChanged    = "branch_changed"
	CodeOriginMismatch   = "origin_url_mismatch"
	CodeMissingToken     = "missing_github_token"
	CodeProtectedBranch  = "protected_branch_rejected"
	CodePushFailed       = "git_push_failed"
	CodeFetchFailed      = "git_fetch_failed"
	CodeGitFailed        = "git_failed"
)

// Error is a refusal or git failure with a stable code. Output is git's own message, with the
// home directory shortened and cut to outputLimit bytes; it never holds the token, which git
// is only given through its environment.
type Error struct {
	Code    string
	Message string
	Output  string
}

func (e *Error) Error() string {
	if e.Output != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Message, e.Output)
	}
	return e.Code + ": " + e.Message
}

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
