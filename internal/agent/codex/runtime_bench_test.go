package codex

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/config"
)

// BenchmarkNewRuntimeSession is what the service does for each agent it starts, up to the
// launch: the session directory, the sandbox policy rendered for it, the agent's environment
// and Symphony's MCP server for the session's tools, with a loaded config like the one
// symphony-bench runs (local tracker, default permissions, env_passthrough). Stopping the
// never-started session is left out of the timing.
func BenchmarkNewRuntimeSession(b *testing.B) {
	req := benchSessionRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sess, err := newRuntimeSession(req)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := sess.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// benchSessionRequest is a session request for a workspace that is no git repository, as
// the service makes for a local-tracker issue, with tools and the mcp-shim located.
func benchSessionRequest(b testing.TB) agent.SessionRequest {
	b.Helper()
	dir := codextest.ShortTempDir(b)
	cfg := loadBenchConfig(b, dir, "")
	root := filepath.Join(dir, "workspaces")
	ws := filepath.Join(root, "B-1")
	home := filepath.Join(dir, "home")
	for _, d := range []string{ws, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	state := filepath.Join(dir, "state")
	return agent.SessionRequest{
		Config: cfg, WorkspaceRoot: root, Workspace: ws, SessionsRoot: filepath.Join(state, "sessions"),
		StateRoot: state, LogsRoot: filepath.Join(state, "logs"), Home: home,
		IssueIdentifier: "B-1", IssueTitle: "Bench task 1",
		Tools:   oneTool{},
		MCPShim: agent.MCPShim{Executable: "/usr/local/bin/symphony", Version: "bench"},
		Events:  func(agent.Event) {},
		Logger:  discardLogger(),
	}
}

// benchAgent is the agent section of symphony-bench's symphony.yml.
const benchAgent = `agent:
  runtime: codex
  command: codex app-server
  env_passthrough: [FAKE_SCENARIO, FAKE_BYTES, FAKE_PACE_MS, FAKE_MILESTONES]
  limits: {max_turns: 2}
  timeouts: {read_ms: 60000, turn_ms: 600000}
`

// loadBenchConfig loads a symphony.yml like symphony-bench's from dir, with agentSection
// ("" for benchAgent).
func loadBenchConfig(b testing.TB, dir, agentSection string) *config.Config {
	b.Helper()
	if agentSection == "" {
		agentSection = benchAgent
	}
	path := filepath.Join(dir, "symphony.yml")
	body := `issues:
  provider: local
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
repositories:
  - key: bench
workspaces:
  root: workspaces
` + agentSection
	if err := os.MkdirAll(filepath.Join(dir, "issues"), 0o755); err != nil {
		b.Fatal(err)
	}
	for p, text := range map[string]string{path: body, filepath.Join(dir, "WORKFLOW.md"): "Work on {{ issue.identifier }}.\n"} {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg, err := config.LoadWithEnv(path, func(k string) (string, bool) {
		if k == "HOME" {
			return filepath.Join(dir, "home"), true
		}
		return os.LookupEnv(k)
	})
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}
