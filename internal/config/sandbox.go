package config

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/sandbox"
)

// SandboxInput maps agent.permissions onto the sandbox policy input. Callers add the
// session-specific parts: workspace, git metadata roots, session directory, CODEX_HOME and
// home, and Symphony's own state (state root, logs root, config files).
func (c *Config) SandboxInput() sandbox.Input {
	p := c.Agent.Permissions
	return sandbox.Input{
		Runtime:   c.Agent.Runtime,
		RemoteSSH: len(c.Workers.SSHHosts) > 0,
		Permissions: sandbox.Permissions{
			ApprovalPolicy: p.ApprovalPolicy,
			Filesystem: sandbox.Filesystem{
				Sandbox: p.Filesystem.Sandbox, TurnPolicy: p.Filesystem.TurnPolicy,
				AllowReadPaths: p.Filesystem.AllowReadPaths, AllowWritePaths: p.Filesystem.AllowWritePaths,
			},
			Network: sandbox.Network{
				Mode: p.Network.Mode, AllowedDomains: p.Network.AllowedDomains, DeniedDomains: p.Network.DeniedDomains,
			},
			OuterSandbox: sandbox.OuterSandbox{
				Runtime: p.OuterSandbox.Runtime, Command: p.OuterSandbox.Command,
				EnableWeakerNetworkIsolation: p.OuterSandbox.EnableWeakerNetworkIsolation,
			},
		},
	}
}

// validateSandbox renders the policy once for a placeholder workspace, so every combination
// the sandbox layer refuses at launch is reported by `config check` instead. A refusal about a
// key that already has a problem is left out, so nothing is reported twice in two wordings.
func (l *loader) validateSandbox() {
	in := l.cfg.SandboxInput()
	in.Workspace = filepath.Join(l.cfg.Workspaces.Root, "placeholder", "EXAMPLE-1")
	in.SessionDir = filepath.Join(l.cfg.Dir, ".symphony-session-placeholder")
	in.ConfigFiles = []string{l.cfg.Path}
	home, err := userHome(l.env)
	if err != nil {
		l.bad("agent.permissions", "cannot render the sandbox policy without a home directory: "+err.Error())
		return
	}
	in.Home = home
	if _, err := sandbox.Resolve(in); err != nil {
		var se *sandbox.Error
		if errors.As(err, &se) {
			if !l.reported(se.Field) {
				l.bad(se.Field, se.Msg+" ("+se.Code+")")
			}
			return
		}
		l.bad("agent.permissions", err.Error())
	}
}

// reported reports whether a problem already names key, a key inside it, or a key it is in.
func (l *loader) reported(key string) bool {
	for _, p := range l.problems {
		if p.Path == key || strings.HasPrefix(p.Path, key+".") || strings.HasPrefix(key, p.Path+".") {
			return true
		}
	}
	return false
}
