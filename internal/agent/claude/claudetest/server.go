package claudetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one model request Claude made.
type Request struct {
	// N counts requests from 1.
	N      int
	Path   string
	APIKey string
	Model  string
	// Tools are the names of the tools offered to the model.
	Tools []string
	// ToolResults are the texts of the tool_result blocks of the last user message: what the
	// tools the model called last answered.
	ToolResults []string
	// System is the system prompt text, all blocks joined.
	System string
	// Text is the text of the last user message.
	Text string
	// Conversation is the text of every message of the request, joined: a resumed session
	// carries the earlier turns.
	Conversation string
}

// Reply is how the mock answers one request: an HTTP error when Status is set, otherwise a
// streamed message holding Text and then the ToolUse call, if any.
type Reply struct {
	Status int
	// Headers are added to the response (rate-limit headers, retry-after).
	Headers map[string]string
	// ErrorType and ErrorMessage fill the error body of a Status reply.
	ErrorType    string
	ErrorMessage string
	Text         string
	ToolUse      *ToolUse
	// Delay holds the response back this long before its first byte.
	Delay time.Duration
	// InputTokens and OutputTokens are the usage reported; zero means 100 and 20.
	InputTokens  int
	OutputTokens int
}

// ToolUse is a tool call the model makes.
type ToolUse struct {
	Name  string
	Input map[string]any
}

// Script answers each model request.
type Script func(Request) Reply

// Server is a running mock.
type Server struct {
	URL    string
	srv    *httptest.Server
	script Script

	mu       sync.Mutex
	requests []Request
	input    int
	output   int
}

// Usage is the tokens the mock reported over every streamed message so far.
type Usage struct{ Input, Output int }

// New starts a mock answering with script; it is closed when the test ends.
func New(t testing.TB, script Script) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{script: script}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Requests are the model requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Usage is the usage reported so far.
func (s *Server) Usage() Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Usage{Input: s.input, Output: s.output}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusOK)
		return
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/messages/count_tokens"):
		writeJSON(w, http.StatusOK, map[string]any{"input_tokens": 42})
		return
	case r.Method != http.MethodPost || r.URL.Path != "/v1/messages":
		writeJSON(w, http.StatusNotFound, errorBody("not_found_error", "not mocked: "+r.Method+" "+r.URL.Path))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid_request_error", err.Error()))
		return
	}
	req, err := decodeRequest(body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid_request_error", err.Error()))
		return
	}
	req.Path, req.APIKey = r.URL.Path, r.Header.Get("x-api-key")
	s.mu.Lock()
	req.N = len(s.requests) + 1
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	reply := s.script(req)
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range reply.Headers {
		w.Header().Set(k, v)
	}
	if reply.Status != 0 {
		writeJSON(w, reply.Status, errorBody(reply.ErrorType, reply.ErrorMessage))
		return
	}
	in, out := reply.InputTokens, reply.OutputTokens
	if in == 0 {
		in = 100
	}
	if out == 0 {
		out = 20
	}
	s.mu.Lock()
	s.input += in
	s.output += out
	s.mu.Unlock()
	streamMessage(w, fmt.Sprintf("msg_mock_%d", req.N), req.Model, reply, in, out)
}

func errorBody(typ, msg string) map[string]any {
	if typ == "" {
		typ = "api_error"
	}
	if msg == "" {
		msg = "mock injected failure"
	}
	return map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
