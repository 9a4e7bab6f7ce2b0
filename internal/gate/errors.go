package gate

import "fmt"

// Stable error codes; operators and tests match on these, never on message text.
const (
	CodeMissingAnthropicKey    = "missing_anthropic_api_key"
	CodeMissingOpenAIKey       = "missing_openai_api_key"
	CodeUnsupportedProvider    = "unsupported_provider"
	CodeInvalidConfig          = "invalid_config"
	CodeProviderHTTPStatus     = "provider_http_status"
	CodeProviderRequestFailed  = "provider_request_failed"
	CodeProviderResponseBroken = "provider_response_invalid"
	CodeNoJSONObject           = "no_json_object"
	CodeInvalidScore           = "invalid_score"
	CodeScoreOutOfRange        = "score_out_of_range"
)

// Error is every failure the gate reports. Detail never contains an API key: request errors
// are built from the URL and status only, and response bodies are redacted before they are
// quoted.
type Error struct {
	Code   string
	Detail string
	// Status is the provider's HTTP status for CodeProviderHTTPStatus, else zero.
	Status int
	Err    error
}

func (e *Error) Error() string {
	msg := "issue gate: " + e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}
