package sandbox

import "fmt"

// Stable error codes. The CLI, logs and API report these words unchanged.
const (
	CodeInvalidApprovalPolicy = "invalid_approval_policy"
	CodeNeverApprovalForCodex = "codex_never_approval_unsupported"
	CodeInvalidSandboxMode    = "invalid_sandbox_mode"
	CodeInvalidTurnPolicy     = "invalid_turn_policy"
	CodeInvalidNetworkMode    = "invalid_network_mode"
	CodeInvalidDomain         = "invalid_network_domain"
	CodePortNotEnforced       = "network_port_not_enforced"
	CodeInvalidPath           = "invalid_sandbox_path"
	CodeProtectedReadPath     = "protected_read_path"
	CodeInvalidOuterSandbox   = "invalid_outer_sandbox"
	CodeSRTOpenNetwork        = "srt_open_network_unsupported"
	CodeSRTNonCodex           = "srt_requires_codex_runtime"
	CodeSRTRemoteWorker       = "srt_ssh_worker_unsupported"
	CodeInvalidRuntime        = "invalid_agent_runtime"
	CodeMissingSessionPath    = "missing_session_path"
)

// Error is a rejected policy input. Field names the configuration key at fault.
type Error struct {
	Code  string
	Field string
	Msg   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Field, e.Msg, e.Code)
}

func errf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Msg: fmt.Sprintf(format, args...)}
}
