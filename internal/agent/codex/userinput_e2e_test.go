package codex

import (
	"context"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
)

func TestRealCodexUserInputRequestCarriesTheQuestion(t *testing.T) {
	// Codex 0.169 offers request_user_input outside Plan mode only behind this feature; the
	// request it then sends is the same one Plan mode sends.
	enable := func(o *Options) {
		o.ConfigOverrides = []string{"features.default_mode_request_user_input=true"}
	}
	rs := newRealSession(t, enable, codextest.Step{Tool: "request_user_input", ToolArgs: map[string]any{"questions": []any{map[string]any{
		"id": "port", "header": "Port", "question": "Which port should the server use?",
		"options": []any{map[string]any{"label": "8080", "description": "the default"}, map[string]any{"label": "9090", "description": "the spare"}},
	}}}})
	_, err := rs.RunTurn(context.Background(), "start the server")
	want := "turn_input_required: Port\nWhich port should the server use?\n- 8080: the default\n- 9090: the spare"
	if agent.CodeOf(err) != agent.CodeTurnInputRequired || err.Error() != want {
		t.Fatalf("RunTurn = %q, want %q", err, want)
	}
}
