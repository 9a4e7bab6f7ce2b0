package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

const testKey = "sk-test-gate-key-0123456789abcdef"

// mockModel is an httptest server speaking either provider's API. script decides each reply
// from the user prompt the gate sent; every request is recorded.
type mockModel struct {
	t        *testing.T
	provider string
	server   *httptest.Server

	mu       sync.Mutex
	requests []recordedRequest
	script   func(user string) (status int, text string)
}

type recordedRequest struct {
	Path    string
	Headers http.Header
	Body    map[string]any
	System  string
	User    string
}

func newMockModel(t *testing.T, provider string, script func(user string) (int, string)) *mockModel {
	t.Helper()
	m := &mockModel{t: t, provider: provider, script: script}
	m.server = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.server.Close)
	return m
}

func (m *mockModel) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	rec := recordedRequest{Path: r.URL.Path, Headers: r.Header.Clone(), Body: body}
	msgs, _ := body["messages"].([]any)
	for _, msg := range msgs {
		mm, _ := msg.(map[string]any)
		content, _ := mm["content"].(string)
		switch mm["role"] {
		case "system":
			rec.System = content
		case "user":
			rec.User = content
		}
	}
	if s, ok := body["system"].(string); ok {
		rec.System = s
	}
	m.mu.Lock()
	m.requests = append(m.requests, rec)
	script := m.script
	m.mu.Unlock()
	status, text := script(rec.User)
	if status != http.StatusOK {
		http.Error(w, text, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if m.provider == ProviderAnthropic {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"content": []map[string]any{{"type": "text", "text": text}},
			"usage":   map[string]any{"input_tokens": 120, "output_tokens": 30},
		})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"choices": []map[string]any{{"message": map[string]any{"role": "assistant", "content": text}}},
		"usage":   map[string]any{"prompt_tokens": 120, "completion_tokens": 30},
	})
}

func (m *mockModel) setScript(script func(string) (int, string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.script = script
}

func (m *mockModel) calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.requests)
}

func (m *mockModel) last() recordedRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.requests) == 0 {
		m.t.Fatal("mock model received no request")
	}
	return m.requests[len(m.requests)-1]
}

func (m *mockModel) options() ProviderOptions {
	return ProviderOptions{BaseURL: m.server.URL, Timeout: 5 * time.Second, Getenv: keyEnv}
}

func keyEnv(name string) string {
	if name == "ANTHROPIC_API_KEY" || name == "OPENAI_API_KEY" {
		return testKey
	}
	return ""
}

// scoreReply scripts a fixed verdict.
func scoreReply(score int, questions ...string) func(string) (int, string) {
	return func(string) (int, string) {
		qs, _ := json.Marshal(questions)
		return http.StatusOK, fmt.Sprintf(`{"score": %d, "reason": "scripted %d", "questions": %s}`, score, score, qs)
	}
}

// fakeTracker records comments and can append them to the issue, as the tracker would.
type fakeTracker struct {
	mu       sync.Mutex
	comments []string
	fail     error
}

func (f *fakeTracker) CreateComment(_ context.Context, _ string, body string) (issue.Comment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return issue.Comment{}, f.fail
	}
	f.comments = append(f.comments, body)
	return issue.Comment{Body: body}, nil
}

func (f *fakeTracker) posted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.comments...)
}

// fakeClock is a settable clock for posted_at.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
