package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/store"
)

// mockScorer is an Anthropic Messages endpoint that scores an issue 4 when its prompt holds
// "somehow" and 9 otherwise, and counts the requests per issue identifier.
type mockScorer struct {
	mu    sync.Mutex
	calls map[string]int
}

func (m *mockScorer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body struct {
		Messages []struct{ Content string } `json:"messages"`
	}
	if r.URL.Path != "/v1/messages" || r.Header.Get("x-api-key") != "gate-e2e-key" || json.Unmarshal(raw, &body) != nil || len(body.Messages) != 1 {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	user := body.Messages[0].Content
	id := strings.Fields(strings.TrimPrefix(user, "Issue "))[0]
	m.mu.Lock()
	m.calls[id]++
	m.mu.Unlock()
	score := 9
	if strings.Contains(user, "somehow") {
		score = 4
	}
	text := fmt.Sprintf(`{"score": %d, "reason": "scored by the e2e mock", "questions": ["Which page is slow?"]}`, score)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"content": []map[string]any{{"type": "text", "text": text}},
		"usage": map[string]any{"input_tokens": 200, "output_tokens": 20}})
}

func (m *mockScorer) count(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[id]
}

func TestServeGatesIssuesWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1", "DEMO-2")
	vague := filepath.Join(e.issues, "DEMO-2.md")
	if err := os.WriteFile(vague, []byte("---\ntitle: Improve things\nstate: Todo\npriority: 2\n---\nMake the app faster somehow.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scorer := &mockScorer{calls: map[string]int{}}
	api := httptest.NewServer(scorer)
	defer api.Close()
	e.env = append(e.env, "ANTHROPIC_API_KEY=gate-e2e-key", "ANTHROPIC_BASE_URL="+api.URL)
	mock := codextest.NewResponses(t, codextest.Step{Shell: agentWork(e.issues)}, codextest.Step{Text: "DEMO-1 is ready for review."})
	e.writeConfig(t, mock)
	cfg, _ := os.ReadFile(e.config)
	cfg = append(cfg, []byte("issue_gate: {enabled: true, provider: anthropic, pass_threshold: 6, clarification_floor: 3, max_clarification_rounds: 2}\n")...)
	if err := os.WriteFile(e.config, cfg, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	serve := func() (wait func(what string, cond func() bool), stop func()) {
		cmd, stdout, stderr := e.command(ctx)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		kill := func() {
			if !killed {
				killed = true
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
			}
		}
		t.Cleanup(kill)
		wait = func(what string, cond func() bool) {
			t.Helper()
			deadline := time.Now().Add(120 * time.Second)
			for !cond() {
				if time.Now().After(deadline) {
					kill()
					t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, stdout, stderr)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		stop = func() {
			t.Helper()
			cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("symphony did not exit cleanly on SIGTERM: %v\nstderr:\n%s", err, stderr)
			}
			killed = true
		}
		return wait, stop
	}
	status := func() (server.State, bool) {
		cmd, out, _ := e.command(ctx, "status", "--json")
		var st server.State
		if cmd.Run() != nil || json.Unmarshal(out.Bytes(), &st) != nil {
			return st, false
		}
		return st, true
	}
	comments := func(id string) string {
		data, _ := os.ReadFile(filepath.Join(e.issues, id+".comments.md"))
		return string(data)
	}

	wait, stop := serve()
	wait("DEMO-1 handed off and DEMO-2 awaiting clarification", func() bool {
		st, ok := status()
		return ok && e.issueState(t, "DEMO-1") == "Human Review" && e.unfinishedRuns(t) == 0 &&
			len(st.AwaitingClarification) == 1 && st.AwaitingClarification[0].IssueIdentifier == "DEMO-2"
	})
	st, _ := status()
	if got := st.AwaitingClarification[0]; got.Score != 4 || got.RoundsAsked != 1 || got.Reason != "scored by the e2e mock" {
		t.Errorf("awaiting row %+v", got)
	}
	if c := comments("DEMO-2"); strings.Count(c, "Symphony quality gate: clarification requested (score 4 < pass_threshold 6; round 1/2).") != 1 ||
		!strings.Contains(c, "1. Which page is slow?") {
		t.Errorf("DEMO-2 comments:\n%s", c)
	}
	stop()
	if e.issueState(t, "DEMO-2") != "Todo" {
		t.Errorf("DEMO-2 state %q, want it untouched", e.issueState(t, "DEMO-2"))
	}

	// A restart reads the scores from the store: DEMO-2 stays held without another model call
	// or another comment.
	callsBefore := scorer.count("DEMO-2")
	wait, stop = serve()
	wait("DEMO-2 held again after the restart", func() bool {
		st, ok := status()
		return ok && len(st.AwaitingClarification) == 1 && !st.LastPollAt.IsZero()
	})
	stop()
	if n := scorer.count("DEMO-2"); n != callsBefore {
		t.Errorf("the restart re-scored DEMO-2: %d model calls, %d before", n, callsBefore)
	}
	if n := strings.Count(comments("DEMO-2"), "Symphony quality gate:"); n != 1 {
		t.Errorf("DEMO-2 has %d gate comments after the restart, want 1", n)
	}

	st2, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	runs, err := st2.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.IssueIdentifier != "DEMO-1" {
			t.Errorf("a run for %s despite the gate: %+v", r.IssueIdentifier, r)
		}
	}
	if len(runs) == 0 {
		t.Error("DEMO-1 never ran")
	}
}
