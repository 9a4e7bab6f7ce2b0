package codextest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Usage is the token usage a mock response reports.
type Usage struct {
	Input     int64
	Cached    int64
	Output    int64
	Reasoning int64
}

// DefaultUsage is reported by steps that do not set Usage.
var DefaultUsage = Usage{Input: 100, Cached: 10, Output: 20}

// Step scripts one model response. Set exactly one of Shell, Tool, Text or HTTPStatus.
type Step struct {
	// Shell asks Codex to run a shell command through its exec_command tool.
	Shell string
	// Tool calls a client-side dynamic tool with ToolArgs as its arguments.
	Tool     string
	ToolArgs any
	// Namespace, with Tool, calls a tool offered inside a namespace: Codex offers an MCP
	// server's tools as the namespace mcp__<server> holding the server's tool names.
	Namespace string
	// Text is a final assistant message that ends the turn.
	Text string
	// HTTPStatus answers with this HTTP error instead of a stream.
	HTTPStatus int
	// HTTPBody, with HTTPStatus, replaces the generic JSON error body, e.g. with the
	// usage_limit_reached error the model API sends when an account's quota is spent.
	HTTPBody string
	// HTTPHeader, with HTTPStatus, adds these response headers (x-codex-* rate-limit
	// headers, retry-after).
	HTTPHeader map[string]string
	// Delay is slept between stream events, for slow-stream scenarios.
	Delay time.Duration
	// Usage overrides DefaultUsage.
	Usage *Usage
}

// Request is what the mock recorded about one model request.
type Request struct {
	// Model is the model name Codex asked for.
	Model string
	Tools []string
	// Input is the raw input items of the request.
	Input []json.RawMessage
	// ToolOutputs are the outputs of earlier tool calls sent back with this request.
	ToolOutputs []string
}

// Responses is a mock Responses API serving scripted steps in order. When the script runs out
// it answers with a plain "done" message.
type Responses struct {
	URL string
	// Choose, when set before the first request, picks each response from the request
	// instead of the script: for concurrent sessions, whose requests interleave in no fixed
	// order.
	Choose func(Request) Step

	mu       sync.Mutex
	steps    []Step
	next     int
	requests []Request
	calls    int
	usage    Usage
	srv      *http.Server
}

// NewResponses starts a mock on 127.0.0.1 and stops it when the test ends.
func NewResponses(t testing.TB, steps ...Step) *Responses {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("codextest: listen: %v", err)
	}
	r := &Responses{steps: steps, URL: "http://" + ln.Addr().String() + "/v1"}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	t.Cleanup(func() { _ = r.srv.Close() })
	return r
}

// ConfigTOML points Codex at the mock. The agent environment must set MOCK_API_KEY.
func (r *Responses) ConfigTOML() string {
	return fmt.Sprintf(`model = "gpt-5.1-codex"
model_provider = "mock"

[model_providers.mock]
name = "Mock Responses"
base_url = %q
wire_api = "responses"
env_key = "MOCK_API_KEY"
request_max_retries = 0
stream_max_retries = 0
`, r.URL)
}

// Env is the environment the agent needs to reach the mock.
func (r *Responses) Env() []string { return []string{"MOCK_API_KEY=codextest"} }

// Requests returns what the mock has recorded so far.
func (r *Responses) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// ReportedUsage is the sum of the usage of every streamed response so far.
func (r *Responses) ReportedUsage() Usage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.usage
}

func (r *Responses) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/responses" {
		http.Error(w, `{"error":{"message":"not mocked"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var parsed struct {
		Model string `json:"model"`
		Tools []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"tools"`
		Input []json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	rec := Request{Model: parsed.Model, Input: parsed.Input}
	for _, tl := range parsed.Tools {
		name := tl.Name
		if name == "" {
			name = tl.Type
		}
		rec.Tools = append(rec.Tools, name)
	}
	for _, in := range parsed.Input {
		var item struct {
			Type   string          `json:"type"`
			Output json.RawMessage `json:"output"`
		}
		if json.Unmarshal(in, &item) == nil && item.Type == "function_call_output" {
			rec.ToolOutputs = append(rec.ToolOutputs, string(item.Output))
		}
	}
	r.mu.Lock()
	r.requests = append(r.requests, rec)
	step := Step{Text: "done"}
	if r.Choose != nil {
		step = r.Choose(rec)
	} else if r.next < len(r.steps) {
		step = r.steps[r.next]
		r.next++
	}
	r.calls++
	n := r.calls
	usage := DefaultUsage
	if step.Usage != nil {
		usage = *step.Usage
	}
	if step.HTTPStatus == 0 {
		r.usage.Input += usage.Input
		r.usage.Cached += usage.Cached
		r.usage.Output += usage.Output
		r.usage.Reasoning += usage.Reasoning
	}
	r.mu.Unlock()

	if step.HTTPStatus != 0 {
		for name, value := range step.HTTPHeader {
			w.Header().Set(name, value)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(step.HTTPStatus)
		body := step.HTTPBody
		if body == "" {
			body = `{"error":{"message":"mock injected failure","type":"server_error"}}`
		}
		_, _ = io.WriteString(w, body)
		return
	}
	r.stream(req.Context(), w, n, step, usage)
}

func (r *Responses) stream(ctx context.Context, w http.ResponseWriter, n int, step Step, usage Usage) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	respID := fmt.Sprintf("resp_%d", n)
	send := func(event string, data map[string]any) {
		data["type"] = event
		b, _ := json.Marshal(data)
		_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		if flusher != nil {
			flusher.Flush()
		}
		if step.Delay > 0 {
			// A client that went away (an interrupted turn) ends the wait, so a slow step
			// does not outlive its request.
			select {
			case <-time.After(step.Delay):
			case <-ctx.Done():
			}
		}
	}
	send("response.created", map[string]any{"response": map[string]any{"id": respID}})
	switch {
	case step.Shell != "" || step.Tool != "":
		name, args := "exec_command", any(map[string]any{"cmd": step.Shell})
		if step.Tool != "" {
			name, args = step.Tool, step.ToolArgs
			if args == nil {
				args = map[string]any{}
			}
		}
		argText, _ := json.Marshal(args)
		item := map[string]any{
			"type": "function_call", "id": fmt.Sprintf("fc_%d", n), "call_id": fmt.Sprintf("call_%d", n),
			"name": name, "arguments": string(argText), "status": "completed",
		}
		if step.Namespace != "" {
			item["namespace"] = step.Namespace
		}
		send("response.output_item.added", map[string]any{"output_index": 0, "item": item})
		send("response.output_item.done", map[string]any{"output_index": 0, "item": item})
	default:
		msgID := fmt.Sprintf("msg_%d", n)
		send("response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{
			"type": "message", "id": msgID, "role": "assistant", "status": "in_progress", "content": []any{},
		}})
		send("response.output_text.delta", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "delta": step.Text})
		send("response.output_item.done", map[string]any{"output_index": 0, "item": map[string]any{
			"type": "message", "id": msgID, "role": "assistant", "status": "completed",
			"content": []any{map[string]any{"type": "output_text", "text": step.Text, "annotations": []any{}}},
		}})
	}
	send("response.completed", map[string]any{"response": map[string]any{"id": respID, "usage": map[string]any{
		"input_tokens":          usage.Input,
		"input_tokens_details":  map[string]any{"cached_tokens": usage.Cached},
		"output_tokens":         usage.Output,
		"output_tokens_details": map[string]any{"reasoning_tokens": usage.Reasoning},
		"total_tokens":          usage.Input + usage.Output,
	}}})
}
