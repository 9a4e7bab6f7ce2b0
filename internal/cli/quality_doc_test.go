package cli

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/review"
	"github.com/symphony-go/symphony/internal/server"
)

// TestQualityDocNamesWhatTheCodeUses checks the names, codes, comment lines and numbers
// docs/quality.md states against the code; the behaviour it describes is covered by the gate,
// review, orchestrator and end-to-end tests.
func TestQualityDocNamesWhatTheCodeUses(t *testing.T) {
	raw, err := os.ReadFile("../../docs/quality.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(raw)), " ")
	firstLine := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }
	state, _ := json.Marshal(server.State{})
	issue, _ := json.Marshal(server.Issue{})
	// docs/metrics.md is checked against what the registry exposes (internal/metrics).
	metricsDoc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		gate.AnthropicBaseURLEnv, gate.OpenAIBaseURLEnv, gate.CodeMissingAnthropicKey, gate.CodeMissingOpenAIKey,
		"`" + gate.KVNamespace + "`", "At most " + strconv.Itoa(gate.DefaultMaxCallsPerCycle) + " model calls",
		firstLine(gate.ClarificationComment(4, 6, 1, 2, "r", nil)), firstLine(gate.SkipComment(2, 6, 0, "r")), firstLine(gate.ErrorSkipComment(6)),
		string(review.Approve), string(review.RequestChanges), string(review.Block), review.CodeMalformed, review.CodeUnverifiable,
		string(agent.CodeReviewBlocked), "Symphony pre-push review: blocked.", "Reviewer agent approved the committed diff",
		"reviewer did not converge", "[unverified]", "within three lines", "shorter than eight characters", "Review-agent gate",
	}
	for _, key := range []string{`"awaiting_clarification"`, `"skipped"`} {
		if !strings.Contains(string(state), key) {
			t.Errorf("the state document has no %s", key)
		}
	}
	if !strings.Contains(string(issue), `"gate"`) {
		t.Error("the issue document has no gate object")
	}
	for _, name := range []string{"symphony_issue_gate_calls_total", "symphony_issue_gate_tokens_total", "symphony_issue_gate_deferred_total",
		"symphony_awaiting_clarification_issues", "symphony_skipped_issues"} {
		if !strings.Contains(string(metricsDoc), "| `"+name+"` |") {
			t.Errorf("metric %s is not in docs/metrics.md", name)
		}
		want = append(want, name)
	}
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("docs/quality.md does not say %q", w)
		}
	}
	if !strings.Contains(review.ApprovalPrompt, "Reviewer agent approved the committed diff") || !strings.Contains(review.ExecutorGate, "Review-agent gate") {
		t.Error("the prompts no longer say what the doc quotes")
	}
}

func TestReviewerConfigIsReadOnlyCodex(t *testing.T) {
	cfg := &config.Config{}
	cfg.Agent.Runtime, cfg.Agent.Command = "claude", "claude -p"
	cfg.Agent.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite"}
	cfg.PrePushReview = config.PrePushReview{Enabled: true, Runtime: "codex", Command: "codex app-server"}
	got := reviewerConfig(cfg)
	if got.Agent.Runtime != "codex" || got.Agent.Command != "codex app-server" || got.Agent.Permissions.Filesystem.TurnPolicy["type"] != "readOnly" {
		t.Fatalf("reviewer agent config %+v", got.Agent)
	}
	if cfg.Agent.Runtime != "claude" || cfg.Agent.Permissions.Filesystem.TurnPolicy["type"] != "workspaceWrite" {
		t.Fatalf("the executor's configuration changed: %+v", cfg.Agent)
	}
}
