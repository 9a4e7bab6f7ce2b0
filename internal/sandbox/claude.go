package sandbox

import (
	"path/filepath"
	"slices"
)

// ClaudeFilesystem is the sandbox.filesystem block of a Claude Code settings file.
type ClaudeFilesystem struct {
	DenyRead   []string `json:"denyRead"`
	DenyWrite  []string `json:"denyWrite"`
	AllowWrite []string `json:"allowWrite,omitempty"`
}

// ClaudeFilesystem renders the shared lists for Claude Code: read denies after carve-outs,
// guardrail write denies (workspace files by absolute path), and allow_write_paths.
func (p *Policy) ClaudeFilesystem() ClaudeFilesystem {
	deny := bothForms(homeWriteDeny, p.Home)
	for _, w := range workspaceWriteDeny {
		deny = append(deny, filepath.Join(p.Workspace, w))
	}
	deny = append(deny, p.GitRoots...)
	return ClaudeFilesystem{
		DenyRead:   bothForms(p.DenyRead, p.Home),
		DenyWrite:  dedupe(deny),
		AllowWrite: bothForms(slices.Clone(p.AllowWritePaths), p.Home),
	}
}
