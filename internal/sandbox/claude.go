package sandbox

import "slices"

// ClaudeFilesystem is the sandbox.filesystem block of a Claude Code settings file.
type ClaudeFilesystem struct {
	DenyRead   []string `json:"denyRead"`
	DenyWrite  []string `json:"denyWrite"`
	AllowWrite []string `json:"allowWrite,omitempty"`
}

// ClaudeFilesystem renders the shared lists for Claude Code, whose sandbox is the same
// bubblewrap layer as srt and is read the same way: read denies after carve-outs, the
// operator's Codex login and config, and Symphony's own state; guardrail write denies (workspace files by absolute path) and the git
// metadata a commit never needs to write (config, hooks, and info and packed-refs when they
// exist, since a placeholder at a missing path breaks git); allow_write_paths plus every git
// metadata root outside the workspace, so a commit in a linked worktree can write the shared
// objects and refs.
func (p *Policy) ClaudeFilesystem() ClaudeFilesystem {
	deny := append(p.guardrailWriteDeny(), p.deniedGitMetadata()...)
	allow := bothForms(slices.Clone(p.AllowWritePaths), p.Home)
	for _, r := range p.GitRoots {
		if !within(r, p.Workspace) {
			allow = append(allow, r)
		}
	}
	return ClaudeFilesystem{
		DenyRead:   dedupe(append(bothForms(append(slices.Clone(p.DenyRead), p.protectedReads()...), p.Home), p.SymphonyState...)),
		DenyWrite:  dedupe(deny),
		AllowWrite: dedupe(allow),
	}
}

// ClaudeSettings is the settings.json Symphony gives each Claude Code session (loaded with
// --setting-sources "" so no user, project or local settings mix in).
type ClaudeSettings struct {
	Sandbox     ClaudeSandbox     `json:"sandbox"`
	Permissions ClaudePermissions `json:"permissions"`
}

// ClaudeSandbox turns Claude Code's own sandbox on for every Bash command, with no way out:
// failIfUnavailable makes Claude refuse to run rather than run commands unsandboxed, and
// allowUnsandboxedCommands=false removes the model's escape hatch.
type ClaudeSandbox struct {
	Enabled                  bool             `json:"enabled"`
	FailIfUnavailable        bool             `json:"failIfUnavailable"`
	AllowUnsandboxedCommands bool             `json:"allowUnsandboxedCommands"`
	Filesystem               ClaudeFilesystem `json:"filesystem"`
	Network                  ClaudeNetwork    `json:"network"`
}

// ClaudeNetwork is the sandbox.network block. AllowedDomains is a pointer so that block mode
// renders an explicit empty list while open mode leaves the key out.
type ClaudeNetwork struct {
	AllowedDomains          *[]string `json:"allowedDomains,omitempty"`
	AllowManagedDomainsOnly bool      `json:"allowManagedDomainsOnly,omitempty"`
	AllowLocalBinding       bool      `json:"allowLocalBinding"`
}

// ClaudePermissions are the tool permission rules. acceptEdits lets the model edit files
// without a prompt nobody would answer; sandboxed Bash commands are allowed by Claude's
// sandbox; MCP servers are allowed by name; Deny wins over both.
type ClaudePermissions struct {
	DefaultMode string   `json:"defaultMode"`
	Allow       []string `json:"allow,omitempty"`
	Deny        []string `json:"deny"`
}

// ClaudeDeniedCommands are Bash command prefixes Claude refuses whatever the model asks:
// publishing work (push, pull requests through gh) and re-pointing remotes is the
// orchestrator's job, done through scoped tools.
var ClaudeDeniedCommands = []string{
	"Bash(gh:*)", "Bash(ghe:*)", "Bash(git push:*)", "Bash(git remote add:*)", "Bash(git remote set-url:*)",
}

// ClaudeSettings renders the session's settings for Claude Code; mcpServers are the names of
// the session's MCP servers, whose tools the model may call.
func (p *Policy) ClaudeSettings(mcpServers []string) ClaudeSettings {
	s := ClaudeSettings{
		Sandbox: ClaudeSandbox{
			Enabled:           true,
			FailIfUnavailable: true,
			Filesystem:        p.ClaudeFilesystem(),
			Network:           p.claudeNetwork(),
		},
		Permissions: ClaudePermissions{DefaultMode: "acceptEdits", Deny: slices.Clone(ClaudeDeniedCommands)},
	}
	for _, name := range slices.Sorted(slices.Values(mcpServers)) {
		s.Permissions.Allow = append(s.Permissions.Allow, "mcp__"+name)
	}
	return s
}

func (p *Policy) claudeNetwork() ClaudeNetwork {
	switch p.NetworkMode {
	case NetworkOpen:
		return ClaudeNetwork{AllowLocalBinding: true}
	case NetworkBlock:
		return ClaudeNetwork{AllowedDomains: &[]string{}, AllowManagedDomainsOnly: true, AllowLocalBinding: true}
	}
	domains := p.srtAllowedDomains()
	return ClaudeNetwork{AllowedDomains: &domains, AllowManagedDomainsOnly: true, AllowLocalBinding: true}
}
