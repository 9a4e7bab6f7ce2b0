package workspace

import "errors"

// Stable error codes, shared by logs, the CLI and the API.
const (
	CodeInvalidIdentifier = "invalid_workspace_identifier"
	CodeOutsideRoot       = "workspace_outside_root"
	CodeSymlink           = "workspace_symlink"
	CodeInvalidOptions    = "invalid_workspace_config"
	CodeUnknownRepo       = "unknown_repo_key"
	CodeNotWorktree       = "workspace_not_worktree"
	CodeGitFailed         = "workspace_git_failed"
	CodeHookFailed        = "hook_failed"
	CodeHookTimeout       = "hook_timeout"
	CodeFilesystem        = "workspace_filesystem_error"
	// CodeBranchElsewhere refuses a pull-request run whose head branch another worktree has
	// checked out.
	CodeBranchElsewhere = "workspace_branch_already_checked_out_elsewhere"
)

// Error is a workspace failure with a stable Code and a message naming what and where.
type Error struct {
	Code string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Code + ": " + e.Msg
	}
	return e.Code + ": " + e.Msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the stable code of the first *Error in err's chain, or "" when there is none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newError(code string, err error, msg string) *Error {
	return &Error{Code: code, Msg: msg, Err: err}
}
