package sandbox

import "slices"

// ClaudeFilesystem is the sandbox.filesystem block of a Claude Code settings file.
type ClaudeFilesystem struct {
	DenyRead   []string `json:"denyRead"`
	DenyWrite  []string `json:"denyWrite"`
	AllowWrite []string `json:"allowWrite,omitempty"`
}

// ClaudeFilesystem renders the shared lists for Claude Code: read denies after carve-outs
// plus Symphony's own state, guardrail write denies (workspace files by absolute path), and
// allow_write_paths.
func (p *Policy) ClaudeFilesystem() ClaudeFilesystem {
	return ClaudeFilesystem{
		DenyRead:   dedupe(append(bothForms(p.DenyRead, p.Home), p.SymphonyState...)),
		DenyWrite:  dedupe(append(p.guardrailWriteDeny(), p.GitRoots...)),
		AllowWrite: bothForms(slices.Clone(p.AllowWritePaths), p.Home),
	}
}
