package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/claude"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// claudeAPIKey is the provider key the claude process needs; whether the commands it runs see
// it is the env-operator-secrets row. Everything else of the operator's environment is dropped
// before claude starts (sandbox.AgentEnv).
const claudeAPIKey = "sk-ant-api03-PLANTED-MATRIX-KEY-6c1e"

// TestClaudeSecurityMatrix runs the same scripted attack through the real claude, under the
// settings.json Symphony renders for the default policy, and checks every outcome against the
// claude column of sandbox.Measured. CODEX_HOME is pointed at the session directory under
// the state root so the session-config probe targets the same place as for Codex.
func TestClaudeSecurityMatrix(t *testing.T) {
	bin := testenv.Claude(t)
	for _, tool := range []string{"curl", "git", "bwrap", "socat"} {
		testenv.Tool(t, tool)
	}
	r := newRig(t)
	writeFile(t, filepath.Join(r.session, "home", "config.toml"), "# own session config\n")
	steps := []claudetest.Reply{
		{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"command": r.attackScript(), "description": "probe"}}},
		{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"command": r.hostProbe(), "description": "probe"}}},
		{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"command": "env", "description": "probe"}}},
		{Text: "done"},
	}
	next := 0
	mock := claudetest.New(t, func(req claudetest.Request) claudetest.Reply {
		if len(req.Tools) == 0 || next >= len(steps) {
			return claudetest.Reply{Text: "done"}
		}
		next++
		return steps[next-1]
	})
	in := r.input(sandbox.ModeClaude, "", r.allowEntry(sandbox.ModeClaude))
	in.Runtime, in.CodexHome, in.RuntimeHosts = sandbox.RuntimeClaude, "", nil
	pol, err := sandbox.Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	sess := claude.New(claude.Options{
		Command:       bin,
		WorkspaceRoot: r.wsRoot,
		Workspace:     r.ws,
		TempRoot:      r.session,
		Settings:      pol.ClaudeSettings(nil),
		Env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.home, "ANTHROPIC_BASE_URL=" + mock.URL, "ANTHROPIC_API_KEY=" + claudeAPIKey,
			"CLAUDE_CONFIG_DIR=" + filepath.Join(r.root, "claude-config"), "CLAUDE_CODE_MAX_RETRIES=0",
			"CODEX_HOME=" + filepath.Join(r.session, "home")},
		TurnTimeout: 3 * time.Minute,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := sess.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Stop(context.Background()) }()
	if _, err := sess.RunTurn(ctx, "probe the sandbox"); err != nil {
		t.Fatalf("attack turn: %v", err)
	}
	for _, req := range mock.Requests() {
		results = append(results, req.ToolResults...)
	}
	if len(results) < 3 {
		t.Fatalf("the attack commands did not both run: %q", results)
	}
	out := strings.Join(results, "\n")
	t.Logf("tool output (claude):\n%s", out)
	got := r.outcome(t, out)
	if !strings.Contains(out, "PATH=") {
		t.Fatal("the environment probe printed no environment")
	}
	got[sandbox.AttackEnvSecrets] = sandbox.Blocked
	if strings.Contains(out, claudeAPIKey) {
		got[sandbox.AttackEnvSecrets] = sandbox.Allowed
	}
	for _, a := range append(scriptedAttacks(), sandbox.Attack{ID: sandbox.AttackEnvSecrets, Description: "Claude's API key in the environment of the commands it runs"}) {
		want := sandbox.Measured[a.ID][sandbox.ModeClaude]
		t.Logf("%-24s claude %s", a.ID, got[a.ID])
		if want == sandbox.Unmeasured {
			continue
		}
		if got[a.ID] != want {
			t.Errorf("%s under claude: observed %s, sandbox.Measured says %s (%s)", a.ID, got[a.ID], want, a.Description)
		}
	}
}
