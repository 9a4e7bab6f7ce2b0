package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// Provider sends one scoring request to a model and returns its raw text reply.
type Provider interface {
	Score(ctx context.Context, system, user string) (Reply, error)
}

// Reply is the model's text and the tokens it cost, for the gate-spend metric.
type Reply struct {
	Text  string
	Usage Usage
}

// Usage counts the tokens one scoring call consumed.
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// ProviderOptions tune the HTTP client. The zero value talks to the public endpoints with the
// key from the process environment.
type ProviderOptions struct {
	// BaseURL replaces the provider's public origin (tests point it at an httptest server).
	// Empty means the origin in AnthropicBaseURLEnv / OpenAIBaseURLEnv, else the public one.
	BaseURL string
	// Timeout bounds one request; zero means DefaultTimeout.
	Timeout time.Duration
	// Getenv reads the API key; nil means os.Getenv. Keys are never read from files.
	Getenv func(string) string
	// HTTPClient is used when set; its own Timeout still applies alongside Timeout.
	HTTPClient *http.Client
	// MaxReplyTokens caps the reply; zero means the gate's own small cap. Learnings
	// reflection asks for more, since it returns up to three rules with quotes.
	MaxReplyTokens int
}

// AnthropicBaseURLEnv and OpenAIBaseURLEnv name the environment variables that point the
// gate at another origin (a proxy, a gateway, or a mock in end-to-end tests); the same names
// the providers' own SDKs read.
const (
	AnthropicBaseURLEnv = "ANTHROPIC_BASE_URL"
	OpenAIBaseURLEnv    = "OPENAI_BASE_URL"
)

// Provider names and defaults the configuration accepts.
const (
	ProviderAnthropic = "anthropic"
	ProviderOpenAI    = "openai"

	DefaultTimeout = 30 * time.Second
	// maxReplyTokens is ample for a score, a reason and five questions.
	maxReplyTokens = 256
	// maxResponseBytes stops a misbehaving endpoint from filling memory.
	maxResponseBytes = 1 << 20
	// errorBodyChars is how much of a failed response is quoted in the error.
	errorBodyChars = 300

	anthropicOrigin  = "https://api.anthropic.com"
	anthropicVersion = "2023-06-01"
	openAIOrigin     = "https://api.openai.com"
)

// NewProvider builds the client for provider, reading its key from the environment. A missing
// key or an unknown provider is a typed error, so the service refuses to start rather than
// failing every poll.
func NewProvider(provider, model string, opts ProviderOptions) (Provider, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	maxTokens := opts.MaxReplyTokens
	if maxTokens <= 0 {
		maxTokens = maxReplyTokens
	}
	base := httpBase{client: client, timeout: timeout, model: model, maxTokens: maxTokens}
	baseURL := func(envName string) string {
		if opts.BaseURL != "" {
			return opts.BaseURL
		}
		return strings.TrimSpace(getenv(envName))
	}
	switch provider {
	case ProviderAnthropic:
		key := strings.TrimSpace(getenv("ANTHROPIC_API_KEY"))
		if key == "" {
			return nil, errorf(CodeMissingAnthropicKey, "issue_gate.provider is anthropic but ANTHROPIC_API_KEY is not set")
		}
		base.key, base.url = key, origin(baseURL(AnthropicBaseURLEnv), anthropicOrigin)+"/v1/messages"
		return &anthropic{base}, nil
	case ProviderOpenAI:
		key := strings.TrimSpace(getenv("OPENAI_API_KEY"))
		if key == "" {
			return nil, errorf(CodeMissingOpenAIKey, "issue_gate.provider is openai but OPENAI_API_KEY is not set")
		}
		base.key, base.url = key, origin(baseURL(OpenAIBaseURLEnv), openAIOrigin)+"/v1/chat/completions"
		return &openAI{base}, nil
	default:
		return nil, errorf(CodeUnsupportedProvider, "issue_gate.provider %q (want anthropic or openai)", provider)
	}
}

func origin(override, public string) string {
	if override != "" {
		return strings.TrimRight(override, "/")
	}
	return public
}

// httpBase is what both providers share: one JSON POST with a deadline and typed failures.
type httpBase struct {
	client  *http.Client
	timeout time.Duration
	model   string
	key     string
	url     string
	// maxTokens caps the model's reply.
	maxTokens int
}

func (h httpBase) post(ctx context.Context, body any, headers map[string]string, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return &Error{Code: CodeProviderRequestFailed, Detail: "encode request", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(payload))
	if err != nil {
		return &Error{Code: CodeProviderRequestFailed, Detail: "build request for " + h.url, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		// The transport error names the URL and the cause, never a header.
		return &Error{Code: CodeProviderRequestFailed, Detail: "POST " + h.url, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &Error{Code: CodeProviderRequestFailed, Detail: "read response from " + h.url, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return &Error{Code: CodeProviderHTTPStatus, Status: resp.StatusCode,
			Detail: fmt.Sprintf("POST %s returned %d: %s", h.url, resp.StatusCode, h.quote(raw))}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{Code: CodeProviderResponseBroken, Detail: "decode response from " + h.url + ": " + h.quote(raw), Err: err}
	}
	return nil
}

// quote shortens and scrubs a response body for an error message; some endpoints echo the
// request headers back.
func (h httpBase) quote(raw []byte) string {
	text := secretscan.New(h.key).Redact(string(raw))
	if r := []rune(text); len(r) > errorBodyChars {
		text = string(r[:errorBodyChars]) + "…"
	}
	return strings.TrimSpace(text)
}

// unwrapURLError drops *url.Error's own "Post \"…\":" prefix, which Detail already carries.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
