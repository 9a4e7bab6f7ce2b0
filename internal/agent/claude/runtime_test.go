package claude

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
)

func TestRegisteredAndValidated(t *testing.T) {
	cfg := &config.Config{Path: "/etc/symphony.yml"}
	cfg.Agent.Runtime = RuntimeName
	if _, err := agent.CheckRuntime(cfg); err != nil {
		t.Fatalf("claude runtime: %v", err)
	}
	cfg.Agent.MCP.Inherit = "all"
	cfg.Agent.Permissions.OuterSandbox.Runtime = sandbox.OuterSRT
	_, err := agent.CheckRuntime(cfg)
	if err == nil || !strings.Contains(err.Error(), "/etc/symphony.yml: agent.mcp.inherit") || !strings.Contains(err.Error(), "agent.permissions.outer_sandbox.runtime") {
		t.Fatalf("inherit all and srt: %v", err)
	}
}

// mcp_config.json holds Symphony's server with its token, the declared servers for claude in
// Claude's stdio and http shapes, and the allow-listed servers of ~/.claude.json; a declared
// server replaces an inherited one and none replaces Symphony's.
func TestMCPServers(t *testing.T) {
	home := t.TempDir()
	claudeJSON := `{"mcpServers":{"docs":{"command":"docs-mcp"},"shared":{"command":"old"},"private":{"command":"p"}}}`
	if err := os.WriteFile(filepath.Join(home, ".claude.json"), []byte(claudeJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	m := config.MCP{Inherit: "allowlist", AllowedServers: []string{"docs", "shared"}, Servers: map[string]config.MCPServer{
		"shared":   {Transport: "stdio", Command: "new", Args: []string{"-v"}, Runtimes: []string{"claude"}},
		"web":      {Transport: "http", URL: "https://mcp.example/x", Headers: map[string]string{"X-A": "1"}, Runtimes: []string{"claude", "codex"}},
		"codex":    {Transport: "stdio", Command: "c", Runtimes: []string{"codex"}},
		"symphony": {Transport: "stdio", Command: "evil", Runtimes: []string{"claude"}},
	}}
	own := &ownServer{executable: "/usr/bin/symphony", args: []string{"mcp-shim", "--socket", "/s"}, token: "tok", tokenEnv: "SYMPHONY_MCP_SESSION_TOKEN"}
	servers, err := mcpServers(own, m, home)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(servers)
	want := `{"docs":{"command":"docs-mcp"},"shared":{"args":["-v"],"command":"new"},"symphony":{"args":["mcp-shim","--socket","/s"],"command":"/usr/bin/symphony","env":{"SYMPHONY_MCP_SESSION_TOKEN":"tok"}},"web":{"headers":{"X-A":"1"},"type":"http","url":"https://mcp.example/x"}}`
	if string(got) != want {
		t.Errorf("servers\n got %s\nwant %s", got, want)
	}
	m.AllowedServers = []string{"missing"}
	if _, err := mcpServers(nil, m, home); err == nil || !strings.Contains(err.Error(), `agent.mcp.allowed_servers: ["missing"]`) {
		t.Errorf("missing inherited server: %v", err)
	}
}

// settings.json turns Claude's sandbox on with no escape, denies publishing commands, allows
// the session's MCP servers, and renders each network mode.
func TestClaudeSettingsRendering(t *testing.T) {
	for _, mode := range []string{sandbox.NetworkAllowlist, sandbox.NetworkBlock, sandbox.NetworkOpen} {
		in := sandbox.Input{Runtime: sandbox.RuntimeClaude, Workspace: "/srv/ws/A-1", Home: "/home/op"}
		in.Permissions.Network.Mode = mode
		in.Permissions.Network.AllowedDomains = []string{"pkg.example"}
		pol, err := sandbox.Resolve(in)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(pol.ClaudeSettings([]string{"symphony", "docs"}))
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		s := string(raw)
		for _, want := range []string{`"enabled":true`, `"failIfUnavailable":true`, `"allowUnsandboxedCommands":false`, `"Bash(git push:*)"`,
			`"Bash(gh:*)"`, `"Bash(git remote set-url:*)"`, `"allow":["mcp__docs","mcp__symphony"]`, `"defaultMode":"acceptEdits"`, `"/srv/ws/A-1/WORKFLOW.md"`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: settings lack %s:\n%s", mode, want, s)
			}
		}
		network := doc["sandbox"].(map[string]any)["network"].(map[string]any)
		domains, has := network["allowedDomains"].([]any)
		switch mode {
		case sandbox.NetworkAllowlist:
			if !has || !strings.Contains(s, `"pkg.example"`) || !strings.Contains(s, `"api.anthropic.com"`) || network["allowManagedDomainsOnly"] != true {
				t.Errorf("allowlist network %v", network)
			}
		case sandbox.NetworkBlock:
			if !has || len(domains) != 0 || network["allowManagedDomainsOnly"] != true {
				t.Errorf("block network %v", network)
			}
		case sandbox.NetworkOpen:
			if _, present := network["allowedDomains"]; present || network["allowLocalBinding"] != true {
				t.Errorf("open network %v", network)
			}
		}
	}
}

// With worker hosts the claude runtime is accepted, except agent.mcp.inherit: allowlist,
// whose servers come from this machine's ~/.claude.json while Claude runs on the hosts.
func TestWorkerHostsValidation(t *testing.T) {
	cfg := &config.Config{Path: "/etc/symphony.yml"}
	cfg.Agent.Runtime = RuntimeName
	cfg.Workers.SSHHosts = []string{"build-1"}
	if _, err := agent.CheckRuntime(cfg); err != nil {
		t.Fatalf("claude with worker hosts: %v", err)
	}
	cfg.Agent.MCP.Inherit = "allowlist"
	if _, err := agent.CheckRuntime(cfg); err == nil || !strings.Contains(err.Error(), "/etc/symphony.yml: agent.mcp.inherit: allowlist") {
		t.Fatalf("claude with worker hosts and inherited MCP servers: %v", err)
	}
	cfg.Agent.MCP.Inherit = ""
	// The socket is <root>/.symphony/sessions/claude-<16 hex>/mcp.sock: 52 bytes past the root,
	// so a 51-byte root is the longest whose socket fits the 103 a socket address holds.
	longest := "/" + strings.Repeat("r", 50)
	cfg.Workspaces.Root = longest
	if _, err := agent.CheckRuntime(cfg); err != nil {
		t.Fatalf("claude with a %d-byte workspaces.root: %v", len(longest), err)
	}
	cfg.Workspaces.Root = longest + "r"
	if _, err := agent.CheckRuntime(cfg); err == nil || !strings.Contains(err.Error(), "/etc/symphony.yml: workspaces.root") ||
		!strings.Contains(err.Error(), "at most 51 bytes") {
		t.Fatalf("claude with a %d-byte workspaces.root: %v", len(cfg.Workspaces.Root), err)
	}
	cfg.Workers.SSHHosts = nil
	if _, err := agent.CheckRuntime(cfg); err != nil {
		t.Fatalf("a long workspaces.root without worker hosts: %v", err)
	}
}
