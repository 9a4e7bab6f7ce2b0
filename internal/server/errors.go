package server

import (
	"encoding/json"
	"net/http"
)

// Error codes the API answers with, in the {"error":{"code","message"}} envelope.
const (
	codeNotFound               = "not_found"
	codeMethodNotAllowed       = "method_not_allowed"
	codeIssueNotFound          = "issue_not_found"
	codeTranscriptNotFound     = "transcript_not_found"
	codeInvalidRunsFilter      = "invalid_runs_filter"
	codeInvalidAuditFilter     = "invalid_audit_filter"
	codeInvalidLearningsFilter = "invalid_learnings_filter"
	codeInvalidRequest         = "invalid_request"
	codeUnauthorized           = "unauthorized"
	codeForbiddenOrigin        = "forbidden_origin"
	codeUnavailable            = "orchestrator_unavailable"
	codeNotPaused              = "not_paused"
	codeIssueNotActive         = "issue_not_active"
	codeIssueNotHeld           = "issue_not_held"
	codeIssueStopping          = "issue_stopping"
	codeInternal               = "internal_error"
)

// ErrorBody is the error envelope every failed request gets.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names what went wrong with a stable code and says it for a human.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// The client may have gone; there is nobody left to tell.
	_ = enc.Encode(v)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, codeNotFound, "no route for "+r.Method+" "+r.URL.Path)
}

// methodNotAllowed answers a known path asked with the wrong method.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; use "+allow)
	}
}
