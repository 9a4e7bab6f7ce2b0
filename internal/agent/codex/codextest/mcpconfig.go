package codextest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

// LoadMCPConfig writes and loads a symphony.yml (memory tracker, one repository, the codex
// runtime) whose agent section ends with agentMCP, an indented `mcp:` block or "". $VAR
// references resolve from env only, and HOME is dir, so the operator's real environment never
// leaks into a test of which MCP servers a session gets.
func LoadMCPConfig(t testing.TB, dir, agentMCP string, env map[string]string) *config.Config {
	t.Helper()
	cfgPath := filepath.Join(dir, "symphony.yml")
	body := "issues: {provider: memory}\nworkspaces: {root: ws}\nrepositories:\n  - key: app\n    workflow: WORKFLOW.md\n" +
		"agent:\n  runtime: codex\n  command: codex app-server\n" + agentMCP
	for path, b := range map[string]string{cfgPath: body, filepath.Join(dir, "WORKFLOW.md"): "---\nhooks: {}\n---\nhi\n"} {
		if err := os.WriteFile(path, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.LoadWithEnv(cfgPath, func(k string) (string, bool) {
		if k == "HOME" {
			return dir, true
		}
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// ShortTempDir is a temp directory short enough for the session MCP server's socket path
// (t.TempDir can exceed the Unix socket limit), removed after the test.
func ShortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mcps")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
