package gate

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProviderRequestShapeAndReply(t *testing.T) {
	cases := []struct {
		provider string
		path     string
		check    func(t *testing.T, r recordedRequest)
	}{
		{ProviderAnthropic, "/v1/messages", func(t *testing.T, r recordedRequest) {
			if got := r.Headers.Get("x-api-key"); got != testKey {
				t.Errorf("x-api-key = %q", got)
			}
			if got := r.Headers.Get("anthropic-version"); got != "2023-06-01" {
				t.Errorf("anthropic-version = %q", got)
			}
			if r.Body["max_tokens"] != float64(256) {
				t.Errorf("max_tokens = %v", r.Body["max_tokens"])
			}
		}},
		{ProviderOpenAI, "/v1/chat/completions", func(t *testing.T, r recordedRequest) {
			if got := r.Headers.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("Authorization = %q", got)
			}
			if r.Body["max_completion_tokens"] != float64(256) {
				t.Errorf("max_completion_tokens = %v", r.Body["max_completion_tokens"])
			}
			rf, _ := r.Body["response_format"].(map[string]any)
			if rf["type"] != "json_object" {
				t.Errorf("response_format = %v", r.Body["response_format"])
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.provider, func(t *testing.T) {
			mock := newMockModel(t, tc.provider, scoreReply(7))
			p, err := NewProvider(tc.provider, "model-x", mock.options())
			if err != nil {
				t.Fatal(err)
			}
			reply, err := p.Score(context.Background(), "SYS", "USER")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(reply.Text, `"score": 7`) {
				t.Errorf("reply text = %q", reply.Text)
			}
			if reply.Usage != (Usage{InputTokens: 120, OutputTokens: 30}) {
				t.Errorf("usage = %+v", reply.Usage)
			}
			r := mock.last()
			if r.Path != tc.path || r.Body["model"] != "model-x" || r.System != "SYS" || r.User != "USER" {
				t.Errorf("request = path %q model %v system %q user %q", r.Path, r.Body["model"], r.System, r.User)
			}
			tc.check(t, r)
		})
	}
}

func TestNewProviderErrors(t *testing.T) {
	noKey := func(string) string { return "" }
	cases := []struct {
		provider, code string
	}{
		{ProviderAnthropic, CodeMissingAnthropicKey},
		{ProviderOpenAI, CodeMissingOpenAIKey},
		{"gemini", CodeUnsupportedProvider},
	}
	for _, tc := range cases {
		t.Run(tc.provider, func(t *testing.T) {
			_, err := NewProvider(tc.provider, "m", ProviderOptions{Getenv: noKey})
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestProviderFailuresAreTypedAndKeyFree(t *testing.T) {
	for _, provider := range []string{ProviderAnthropic, ProviderOpenAI} {
		t.Run(provider+"/status", func(t *testing.T) {
			// The endpoint echoes the key back; the error must not repeat it.
			mock := newMockModel(t, provider, func(string) (int, string) {
				return http.StatusTooManyRequests, "rate limited for key " + testKey
			})
			p, _ := NewProvider(provider, "m", mock.options())
			_, err := p.Score(context.Background(), "s", "u")
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Code != CodeProviderHTTPStatus || gerr.Status != http.StatusTooManyRequests {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks the key: %v", err)
			}
		})
		t.Run(provider+"/timeout", func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			p, _ := NewProvider(provider, "m", ProviderOptions{BaseURL: srv.URL, Timeout: 50 * time.Millisecond, Getenv: keyEnv})
			start := time.Now()
			_, err := p.Score(context.Background(), "s", "u")
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Code != CodeProviderRequestFailed {
				t.Fatalf("err = %v", err)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Fatalf("timeout took %v", elapsed)
			}
		})
		t.Run(provider+"/empty", func(t *testing.T) {
			mock := newMockModel(t, provider, func(string) (int, string) { return http.StatusOK, "" })
			p, _ := NewProvider(provider, "m", mock.options())
			_, err := p.Score(context.Background(), "s", "u")
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Code != CodeProviderResponseBroken {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestBaseURLFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct{ provider, env string }{{ProviderAnthropic, AnthropicBaseURLEnv}, {ProviderOpenAI, OpenAIBaseURLEnv}} {
		t.Run(tc.provider, func(t *testing.T) {
			mock := newMockModel(t, tc.provider, scoreReply(7))
			getenv := func(name string) string {
				if name == tc.env {
					return mock.server.URL + "/"
				}
				return keyEnv(name)
			}
			p, err := NewProvider(tc.provider, "m", ProviderOptions{Getenv: getenv, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Score(context.Background(), "SYS", "USER"); err != nil {
				t.Fatal(err)
			}
			if mock.calls() != 1 {
				t.Fatalf("the mock at %s=%s received %d requests", tc.env, mock.server.URL, mock.calls())
			}
		})
	}
}
