package codex

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// oneTool is a registry with one tool, enough for a session to get Symphony's MCP server.
type oneTool struct{}

func (oneTool) Specs() []agent.ToolSpec {
	return []agent.ToolSpec{{Name: "tracker_get_issue", InputSchema: json.RawMessage(`{"type":"object"}`)}}
}

func (oneTool) Call(context.Context, string, json.RawMessage) agent.ToolResult {
	return agent.ToolResult{Success: true}
}

func decodeServers(t *testing.T, tables string) map[string]any {
	t.Helper()
	var doc struct {
		MCPServers map[string]any `toml:"mcp_servers"`
	}
	md, err := toml.Decode(tables, &doc)
	if err != nil {
		t.Fatalf("rendered tables do not parse: %v\n%s", err, tables)
	}
	if len(md.Keys()) > 0 && md.Keys()[0].String() != "mcp_servers" {
		t.Fatalf("rendered tables hold more than mcp_servers: %v", md.Keys())
	}
	return doc.MCPServers
}

func TestCodexMCPServersTOMLRendersOwnAndDeclaredServers(t *testing.T) {
	cfg := codextest.LoadMCPConfig(t, t.TempDir(), `  mcp:
    servers:
      docs:
        command: docs-mcp
        args: [--stdio, "quote\"d"]
        env: {DOCS_API_KEY: $DOCS_KEY, LOG_LEVEL: debug}
      web:
        transport: http
        url: https://mcp.example.com
        runtimes: [claude]
`, map[string]string{"DOCS_KEY": "key-from-env"})
	own := &ownMCPServer{executable: "/opt/symphony", args: []string{"mcp-shim", "--socket", "/tmp/symphony-mcp-1/sock"}, token: "tok"}
	tables, err := codexMCPServersTOML(own, cfg.Agent.MCP, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeServers(t, tables)
	want := map[string]any{
		"docs": map[string]any{
			"command": "docs-mcp",
			"args":    []any{"--stdio", `quote"d`},
			"env":     map[string]any{"DOCS_API_KEY": "key-from-env", "LOG_LEVEL": "debug"},
		},
		"symphony": map[string]any{
			"command":                     "/opt/symphony",
			"args":                        []any{"mcp-shim", "--socket", "/tmp/symphony-mcp-1/sock"},
			"env":                         map[string]any{mcpserver.TokenEnv: "tok"},
			"startup_timeout_sec":         int64(symphonyMCPStartupSec),
			"default_tools_approval_mode": "approve",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("servers =\n%#v\nwant\n%#v\nfrom\n%s", got, want, tables)
	}
	if strings.Contains(tables, "$DOCS_KEY") || strings.Contains(tables, "mcp.example.com") {
		t.Errorf("tables keep the reference or a claude-only server:\n%s", tables)
	}
}

func TestCodexMCPServersTOMLInheritsTheOperatorsServers(t *testing.T) {
	operatorCfg := `model = "o3"

[mcp_servers.github]
command = "gh-mcp"
env = { GH_TOKEN = "operator-token" }

[mcp_servers.notes]
command = "notes-mcp"
args = ["--ro"]

[mcp_servers.symphony]
command = "old-symphony"
`
	tests := []struct {
		name    string
		mcp     string
		want    []string // server names, sorted
		wantErr string
	}{
		{"none ignores the operator's servers", "", []string{"symphony"}, ""},
		{"all takes every one but symphony", "  mcp: {inherit: all}\n", []string{"github", "notes", "symphony"}, ""},
		{"allowlist takes the named ones", "  mcp: {inherit: allowlist, allowed_servers: [notes]}\n", []string{"notes", "symphony"}, ""},
		{"a declared server replaces an inherited one", "  mcp:\n    inherit: all\n    servers: {notes: {command: my-notes}}\n", []string{"github", "notes", "symphony"}, ""},
		{"an allowlisted server the operator lacks is an error", "  mcp: {inherit: allowlist, allowed_servers: [notes, jira]}\n", nil, `agent.mcp.allowed_servers: ["jira"] not found among the mcp_servers of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			codexHome := filepath.Join(dir, "operator-codex")
			if err := os.MkdirAll(codexHome, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(codexHome, "config.toml"), []byte(operatorCfg), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("CODEX_HOME", codexHome)
			t.Setenv("TMPDIR", codextest.ShortTempDir(t))
			cfg := codextest.LoadMCPConfig(t, dir, tt.mcp, nil)
			tables, srv, err := sessionMCPServers(cfg, oneTool{}, true, agent.MCPShim{Executable: "/opt/symphony"}, dir, slog.New(slog.DiscardHandler))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), filepath.Join(codexHome, "config.toml")) {
					t.Fatalf("err = %v, want %q naming the operator's file", err, tt.wantErr)
				}
				if srv != nil {
					t.Fatal("a server is returned with the error")
				}
				if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "symphony-mcp-*")); len(left) != 0 {
					t.Fatalf("the failed render left the server's socket dir %q", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			got := decodeServers(t, tables)
			if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, tt.want) {
				t.Fatalf("servers = %v, want %v\n%s", names, tt.want, tables)
			}
			if own := got["symphony"].(map[string]any); own["command"] == "old-symphony" {
				t.Error("the operator's symphony server replaced Symphony's own")
			}
			if gh, ok := got["github"].(map[string]any); ok && !reflect.DeepEqual(gh["env"], map[string]any{"GH_TOKEN": "operator-token"}) {
				t.Errorf("inherited github env = %v", gh["env"])
			}
			if notes, ok := got["notes"].(map[string]any); ok && strings.Contains(tt.mcp, "my-notes") && notes["command"] != "my-notes" {
				t.Errorf("declared notes did not replace the inherited one: %v", notes)
			}
		})
	}
}
