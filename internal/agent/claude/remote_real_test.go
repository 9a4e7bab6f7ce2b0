package claude

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// issueTools is a scoped tool registry of one tool that records its calls.
type issueTools struct {
	mu    sync.Mutex
	calls []string
}

func (t *issueTools) Specs() []agent.ToolSpec {
	return []agent.ToolSpec{{Name: "tracker_get_current_issue", Description: "the current issue", InputSchema: json.RawMessage(`{"type":"object","properties":{}}`)}}
}

func (t *issueTools) Call(_ context.Context, name string, _ json.RawMessage) agent.ToolResult {
	t.mu.Lock()
	t.calls = append(t.calls, name)
	t.mu.Unlock()
	return agent.ToolResult{Success: true, Text: `{"identifier":"ABC-1","title":"ISSUE-SENTINEL"}`}
}

// testHost starts a test sshd and returns its agent.Remote, with Symphony's directories under
// the host's root, and the workspace demo/ABC-1 made there.
func testHost(t *testing.T) (*agent.Remote, *sshdtest.Host, string) {
	t.Helper()
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	h, err := sshworker.ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	tr := sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile, ConnectTimeout: 5 * time.Second}
	ws := filepath.Join(host.Root, "demo", "ABC-1")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	return agent.SSHRemote(host.Addr(), tr, h, filepath.Join(host.Root, ".symphony", "sessions"), filepath.Join(host.Root, ".symphony", "bin")), host, ws
}

// buildSymphony builds the symphony binary the host runs as the MCP shim.
func buildSymphony(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "symphony")
	build := exec.Command("go", "build", "-o", bin, "./cmd/symphony")
	build.Dir = testenv.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRealRemoteMCP runs the real claude on a real sshd "host" against the mock model: the
// session's files are written on the host, the symphony binary is copied there, the model's
// call of a Symphony tool reaches this process's MCP server through the socket each turn's ssh
// forwards, and Stop removes the session's directory on the host. (The name is short: the
// host's directories, and so the forwarded socket's path, are named after it.)
func TestRealRemoteMCP(t *testing.T) {
	claudeBin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	symphony := buildSymphony(t)
	remote, host, ws := testHost(t)
	testenv.Git(t, ws, "init", "-q")
	// A sandboxed Bash command in the host's workspace, then the scoped tool, then the answer.
	steps := []claudetest.Reply{
		{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"command": "pwd -P > where.txt && echo wrote", "description": "where"}}},
		{ToolUse: &claudetest.ToolUse{Name: "mcp__symphony__tracker_get_current_issue", Input: map[string]any{}}},
		{Text: "read it"},
	}
	var stepMu sync.Mutex
	next := 0
	mock := claudetest.New(t, func(r claudetest.Request) claudetest.Reply {
		stepMu.Lock()
		defer stepMu.Unlock()
		if len(r.Tools) == 0 || next >= len(steps) {
			return claudetest.Reply{Text: "side request"}
		}
		next++
		return steps[next-1]
	})
	cfg := config.Defaults()
	cfg.Path = filepath.Join(t.TempDir(), "symphony.yml")
	cfg.Agent.Runtime, cfg.Agent.Command = RuntimeName, claudeBin
	cfg.Workspaces.Root = host.Root
	tools := &issueTools{}
	var events []agent.Event
	var mu sync.Mutex
	sess, err := newRuntimeSession(agent.SessionRequest{
		Config: &cfg, Remote: remote, WorkspaceRoot: host.Root, Workspace: ws, SessionsRoot: t.TempDir(),
		ExtraEnv: []string{"ANTHROPIC_BASE_URL=" + mock.URL, "ANTHROPIC_API_KEY=remote-key", "CLAUDE_CODE_MAX_RETRIES=0",
			"CLAUDE_CONFIG_DIR=" + filepath.Join(host.Home, ".claude")},
		Tools:   tools,
		MCPShim: agent.MCPShim{Executable: symphony, Version: "test"},
		Events: func(ev agent.Event) {
			// Raw is only valid during the callback.
			ev.Raw = bytes.Clone(ev.Raw)
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Stop(context.Background()) })
	dir := sess.(*ownedSession).opts.PrivateDir
	if err := sess.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	res, err := sess.RunTurn(t.Context(), "read the issue")
	if err != nil {
		mu.Lock()
		for _, ev := range events {
			t.Logf("%s %s %.300s", ev.Kind, ev.Message, ev.Raw)
		}
		mu.Unlock()
		t.Fatalf("RunTurn: %v", err)
	}
	if res.LastMessage != "read it" {
		t.Errorf("last message %q", res.LastMessage)
	}
	tools.mu.Lock()
	calls := tools.calls
	tools.mu.Unlock()
	if len(calls) != 1 || calls[0] != "tracker_get_current_issue" {
		t.Errorf("tool calls that reached Symphony: %v", calls)
	}
	var results []string
	for _, r := range mock.Requests() {
		results = append(results, r.ToolResults...)
	}
	if !strings.Contains(strings.Join(results, "\n"), "ISSUE-SENTINEL") {
		t.Errorf("the model did not see the tool's answer; tool results %q", results)
	}
	if where, err := os.ReadFile(filepath.Join(ws, "where.txt")); err != nil || strings.TrimSpace(string(where)) != ws {
		t.Errorf("the sandboxed Bash command on the host wrote %q (%v), want the workspace %s", where, err, ws)
	}
	bins, _ := filepath.Glob(filepath.Join(remote.BinDir, "symphony-*"))
	if len(bins) != 1 {
		t.Errorf("symphony copies on the host: %v, want one", bins)
	}
	if _, err := os.Stat(filepath.Join(dir, "mcp_config.json")); err != nil {
		t.Errorf("the session's MCP config on the host: %v", err)
	}
	if err := sess.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the session directory on the host after Stop: %v", err)
	}
	assertNoProcessIn(t, ws, dir)
}

// A host whose sshd is gone fails the session's set-up, and a turn started after it went, as
// worker_host_unavailable: the host is at fault, not the issue.
func TestRemoteHostDownIsWorkerHostUnavailable(t *testing.T) {
	remote, host, ws := testHost(t)
	dir, err := remote.NewSessionDir(remoteSessionPrefix)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Command: "claude", WorkspaceRoot: host.Root, Workspace: ws, Remote: remote, PrivateDir: dir})
	if err := s.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	host.Stop()
	if _, err := s.RunTurn(t.Context(), "work"); agent.CodeOf(err) != agent.CodeWorkerHostUnavailable {
		t.Errorf("a turn on a stopped host: %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
	cfg := config.Defaults()
	cfg.Agent.Runtime = RuntimeName
	_, err = newRuntimeSession(agent.SessionRequest{Config: &cfg, Remote: remote, WorkspaceRoot: host.Root, Workspace: ws})
	if agent.CodeOf(err) != agent.CodeWorkerHostUnavailable || !errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		t.Errorf("a session on a stopped host: %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
	host.Start()
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("Stop once the host is back: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the session directory on the host after Stop: %v", err)
	}
}
