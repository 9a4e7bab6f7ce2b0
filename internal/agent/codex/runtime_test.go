package codex

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
)

func TestCodexIsARegisteredRuntime(t *testing.T) {
	rt, err := agent.Lookup(RuntimeName)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Path: "/etc/symphony.yml"}
	cfg.Agent.Runtime = RuntimeName
	cases := []struct {
		command string
		wantErr string
	}{
		{"codex app-server", ""},
		{"codex --config model=o3 app-server", ""},
		{"codex --config model app-server", `/etc/symphony.yml: agent.command: --config override 1 "model" is not key=value`},
	}
	for _, c := range cases {
		cfg.Agent.Command = c.command
		_, err := agent.CheckRuntime(cfg)
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%q: CheckRuntime = %v, want %q", c.command, err, c.wantErr)
		}
	}
	in := rt.SandboxInput(sandbox.Input{SessionDir: "/state/sessions/s1"})
	if in.CodexHome != filepath.Join("/state/sessions/s1", "home") {
		t.Errorf("CODEX_HOME = %q", in.CodexHome)
	}
}
