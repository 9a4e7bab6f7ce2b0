package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// TestRealCodexCallsToolsThroughTheShim configures the real codex with a session's tool
// server as the MCP server `symphony`, started through `symphony mcp-shim` the way a session
// will be: the scripted model calls the tool in Codex's mcp__symphony namespace, and the
// registry must see the call and the model its result. The token reaches the shim either
// from the server entry's env table or forwarded from Codex's own environment (env_vars).
func TestRealCodexCallsToolsThroughTheShim(t *testing.T) {
	codexBin := testenv.Codex(t)
	bin := buildSymphony(t)
	tests := []struct {
		name string
		// tokenConfig hands the token to the shim; tokenEnv is set on codex itself.
		tokenConfig func(token string) string
		tokenEnv    bool
	}{
		{"token in the server's env table", func(token string) string {
			return fmt.Sprintf("env = { %s = %q }", mcpserver.TokenEnv, token)
		}, false},
		{"token forwarded from codex's environment", func(string) string {
			return fmt.Sprintf("env_vars = [%q]", mcpserver.TokenEnv)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := os.MkdirTemp("", "shim")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(root) })
			reg := &shimRegistry{}
			srv, err := mcpserver.Start(reg, mcpserver.Options{Root: root, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })

			mock := codextest.NewResponses(t,
				codextest.Step{Namespace: "mcp__symphony", Tool: "tracker_get_issue", ToolArgs: map[string]any{}},
				codextest.Step{Text: "done"})
			dir := t.TempDir()
			home, work, tmp := filepath.Join(dir, "codex-home"), filepath.Join(dir, "work"), filepath.Join(dir, "tmp")
			for _, d := range []string{home, work, tmp} {
				if err := os.MkdirAll(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			quoted := make([]string, len(srv.ShimArgs()))
			for i, a := range srv.ShimArgs() {
				quoted[i] = fmt.Sprintf("%q", a)
			}
			config := mock.ConfigTOML() + fmt.Sprintf(`
[analytics]
enabled = false

[features]
plugins = false

[mcp_servers.symphony]
command = %q
args = [%s]
%s
startup_timeout_sec = 20
default_tools_approval_mode = "approve"
`, bin, strings.Join(quoted, ", "), tt.tokenConfig(srv.Token()))
			if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, codexBin, "exec", "--skip-git-repo-check", "--json", "-s", "read-only", "call the tool")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "CODEX_HOME="+home, "TMPDIR="+tmp)
			cmd.Env = append(cmd.Env, mock.Env()...)
			if tt.tokenEnv {
				cmd.Env = append(cmd.Env, mcpserver.TokenEnv+"="+srv.Token())
			}
			cmd.Stdin = strings.NewReader("")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("codex exec: %v\n%s", err, out)
			}

			if got := reg.callLog(); len(got) != 1 || got[0] != "tracker_get_issue {}" {
				t.Fatalf("registry calls = %q\ncodex output:\n%s", got, out)
			}
			var outputs []string
			for _, r := range mock.Requests() {
				outputs = append(outputs, r.ToolOutputs...)
			}
			var items []map[string]string
			if len(outputs) != 1 || json.Unmarshal([]byte(outputs[0]), &items) != nil || !containsText(items, `{"identifier":"ENG-1"}`) {
				t.Errorf("the model did not get the tool's result; tool outputs %q", outputs)
			}
		})
	}
}

func containsText(items []map[string]string, text string) bool {
	for _, it := range items {
		if it["text"] == text {
			return true
		}
	}
	return false
}
