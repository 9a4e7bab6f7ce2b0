package claude

import (
	"context"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
)

// The model named by system init and the result's total_cost_usd travel on the turn's
// token_usage event, so the orchestrator can use Claude's own cost instead of a price table.
func TestTokenUsageCarriesTheModelAndReportedCost(t *testing.T) {
	const (
		initLine   = `{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5"}`
		resultLine = `{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s1","total_cost_usd":0.0421,"usage":{"input_tokens":5,"output_tokens":2}}`
	)
	var mu sync.Mutex
	var usage []agent.Event
	s, _ := fakeSession(t, "echo '"+initLine+"'\necho '"+resultLine+"'\n", func(o *Options) {
		o.Events = func(ev agent.Event) {
			if ev.Kind == agent.EventTokenUsage {
				mu.Lock()
				usage = append(usage, ev)
				mu.Unlock()
			}
		}
	})
	if _, err := s.RunTurn(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(usage) != 1 {
		t.Fatalf("got %d token_usage events, want 1", len(usage))
	}
	ev := usage[0]
	if ev.Model != "claude-sonnet-4-5" || ev.CostUSD == nil || *ev.CostUSD != 0.0421 {
		t.Fatalf("token_usage model %q cost %v, want claude-sonnet-4-5 and 0.0421", ev.Model, ev.CostUSD)
	}
}
