package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func TestEnvPassthroughRefusesCredentialNames(t *testing.T) {
	yml := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  env_passthrough:\n    - GOFLAGS\n    - GH_TOKEN\n"
	_, err := load(t, yml, nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("got %v, want one problem", err)
	}
	got := errs[0]
	if got.Path != "agent.env_passthrough[1]" || got.Line != 8 || !strings.Contains(got.Msg, "GH_TOKEN looks like a credential") {
		t.Fatalf("problem = %s:%d %s: %s; want agent.env_passthrough[1] at line 8 naming GH_TOKEN", got.File, got.Line, got.Path, got.Msg)
	}
	if !strings.Contains(err.Error(), "symphony.yml:8") {
		t.Errorf("error %q does not name the file and line", err)
	}
}

func TestEnvPassthroughAndLoginShellLoad(t *testing.T) {
	c := mustLoad(t, minimal, nil)
	if c.Agent.LoginShell || len(c.Agent.EnvPassthrough) != 0 {
		t.Fatalf("defaults: login_shell %v, env_passthrough %q; want false and none", c.Agent.LoginShell, c.Agent.EnvPassthrough)
	}
	c = mustLoad(t, strings.Replace(minimal, "command: codex app-server}", "command: codex app-server, login_shell: true, env_passthrough: [GOFLAGS]}", 1), nil)
	if !c.Agent.LoginShell || len(c.Agent.EnvPassthrough) != 1 || c.Agent.EnvPassthrough[0] != "GOFLAGS" {
		t.Fatalf("login_shell %v, env_passthrough %q", c.Agent.LoginShell, c.Agent.EnvPassthrough)
	}
}
