package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func TestDeclaredMCPSecretsMustBeEnvironmentReferences(t *testing.T) {
	head := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  mcp:\n    servers:\n      docs:\n        command: docs-mcp\n"
	tests := []struct {
		name     string
		block    string
		wantPath string // "" means the file loads
		wantLine int
	}{
		{"literal value under a credential name", "        env:\n          LOG_LEVEL: debug\n          DOCS_API_KEY: sk-live-123\n",
			"agent.mcp.servers.docs.env.DOCS_API_KEY", 12},
		{"recognised token under a plain name", "        env:\n          UPSTREAM: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
			"agent.mcp.servers.docs.env.UPSTREAM", 11},
		{"literal authorization header", "        headers:\n          Authorization: Bearer abc123\n        runtimes: [codex]\n",
			"agent.mcp.servers.docs.headers.Authorization", 11},
		{"references and plain settings load", "        env:\n          DOCS_API_KEY: $DOCS_KEY\n          TOKEN: ${DOCS_TOKEN}\n          LOG_LEVEL: debug\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, head+tt.block, map[string]string{"DOCS_KEY": "from-env"})
			if tt.wantPath == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := c.Agent.MCP.Servers["docs"].Env["DOCS_API_KEY"]; got != "from-env" {
					t.Errorf("DOCS_API_KEY = %q, want the variable's value", got)
				}
				return
			}
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, want one problem", err)
			}
			if got := errs[0]; got.Path != tt.wantPath || got.Line != tt.wantLine || !strings.Contains(got.Msg, "literal secret") {
				t.Fatalf("problem = %s:%d %s: %s; want %s at line %d", got.File, got.Line, got.Path, got.Msg, tt.wantPath, tt.wantLine)
			}
			if !strings.Contains(err.Error(), "symphony.yml:") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestAllowedServersCannotInheritSymphony(t *testing.T) {
	yml := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  mcp:\n    inherit: allowlist\n    allowed_servers: [docs, symphony]\n"
	_, err := load(t, yml, nil)
	if err == nil || !strings.Contains(err.Error(), "agent.mcp.allowed_servers: symphony is Symphony's built-in server") {
		t.Fatalf("got %v, want the symphony entry refused", err)
	}
}
