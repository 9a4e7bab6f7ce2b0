package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/workspace"
)

// The factory starts a session's MCP server and the session's Stop ends it; a factory that
// fails after starting it stops it too. Both leave no socket directory behind.
func TestAgentFactoryStopsTheSessionsMCPServer(t *testing.T) {
	tests := []struct {
		name     string
		agentMCP string
		wantErr  string
	}{
		{"stopped with the session", "", ""},
		{"stopped when the session cannot be built", "  mcp: {inherit: allowlist, allowed_servers: [absent]}\n", `["absent"] not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sockRoot := codextest.ShortTempDir(t)
			t.Setenv("TMPDIR", sockRoot)
			t.Setenv("CODEX_HOME", filepath.Join(dir, "no-operator-codex"))
			cfg := codextest.LoadMCPConfig(t, dir, tt.agentMCP, nil)
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			ws, err := newLiveWorkspaces(cfg, logger)
			if err != nil {
				t.Fatal(err)
			}
			state := filepath.Join(dir, "state")
			host := func(*config.Config, orchestrator.AgentRequest) (agent.ToolRegistry, error) {
				return &shimRegistry{}, nil
			}
			factory := newAgentFactory(config.NewStore(cfg, os.LookupEnv, logger), ws, state, filepath.Join(state, "logs"), host, secretscan.New(), nil, logger)
			wsPath := filepath.Join(cfg.Workspaces.Root, "app", "ABC-1")
			if err := os.MkdirAll(wsPath, 0o755); err != nil {
				t.Fatal(err)
			}
			socketDirs := func() []string {
				dirs, _ := filepath.Glob(filepath.Join(sockRoot, "symphony-mcp-*"))
				return dirs
			}
			sess, err := factory(orchestrator.AgentRequest{Issue: issue.Issue{ID: "1", Identifier: "ABC-1"}, Workspace: workspace.Workspace{Path: wsPath, RepoKey: "app"}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if left := socketDirs(); len(left) != 0 {
					t.Fatalf("socket dirs after the failed factory: %q", left)
				}
				if left, _ := filepath.Glob(filepath.Join(state, "sessions", "codex-session-*")); len(left) != 0 {
					t.Fatalf("session dirs after the failed factory: %q", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := socketDirs(); len(got) != 1 {
				t.Fatalf("socket dirs while the session lives = %q, want one", got)
			}
			if err := sess.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if left := socketDirs(); len(left) != 0 {
				t.Fatalf("socket dirs after Stop: %q", left)
			}
		})
	}
}

func TestReapMCPSocketDirsRemovesAStaleDir(t *testing.T) {
	root := codextest.ShortTempDir(t)
	stale := filepath.Join(root, "symphony-mcp-dead")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	reapMCPSocketDirs(root, slog.New(slog.DiscardHandler))
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale %s survives: %v", stale, err)
	}
}
