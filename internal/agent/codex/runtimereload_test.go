package codex

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

// TestRuntimeSessionFollowsAReloadedConfig builds sessions from one config, from a reload of
// it that changes the network mode, the passed-through environment and the MCP servers, and
// from the first again: each session carries what its own config says, none what an earlier
// one did.
func TestRuntimeSessionFollowsAReloadedConfig(t *testing.T) {
	t.Setenv("RELOAD_A", "a")
	t.Setenv("RELOAD_B", "b")
	req := benchSessionRequest(t)
	dir := filepath.Dir(req.Config.Path)
	first := loadBenchConfig(t, dir, "agent:\n  runtime: codex\n  command: codex app-server\n  env_passthrough: [RELOAD_A]\n")
	reloaded := loadBenchConfig(t, dir, `agent:
  runtime: codex
  command: codex app-server
  env_passthrough: [RELOAD_B]
  permissions: {network: {mode: block}}
  mcp:
    servers:
      docs: {command: docs-mcp}
`)
	type session struct {
		name                 string
		cfg                  *config.Config
		env, notEnv, network string
		mcp                  bool
	}
	for i, cfg := range []session{
		{name: "first", cfg: first, env: "RELOAD_A=a", notEnv: "RELOAD_B=b", network: `permissions.symphony.network={"enabled"=true,"mode"="full"}`},
		{name: "reloaded", cfg: reloaded, env: "RELOAD_B=b", notEnv: "RELOAD_A=a", network: `permissions.symphony.network={"enabled"=false}`, mcp: true},
		{name: "first again", cfg: first, env: "RELOAD_A=a", notEnv: "RELOAD_B=b", network: `permissions.symphony.network={"enabled"=true,"mode"="full"}`},
	} {
		r := req
		r.Config = cfg.cfg
		sess, err := newRuntimeSession(r)
		if err != nil {
			t.Fatal(err)
		}
		o := sess.(*ownedSession).opts
		_ = sess.Stop(context.Background())
		if !slices.Contains(o.Env, cfg.env) || slices.Contains(o.Env, cfg.notEnv) {
			t.Errorf("%d %s: env %q, want %s and not %s", i, cfg.name, o.Env, cfg.env, cfg.notEnv)
		}
		if !slices.Contains(o.ConfigOverrides, cfg.network) {
			t.Errorf("%d %s: overrides lack %s:\n%s", i, cfg.name, cfg.network, strings.Join(o.ConfigOverrides, "\n"))
		}
		if strings.Contains(o.MCPServersTOML, "[mcp_servers.docs]") != cfg.mcp {
			t.Errorf("%d %s: MCP tables:\n%s", i, cfg.name, o.MCPServersTOML)
		}
	}
}
