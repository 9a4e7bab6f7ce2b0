package sandbox

import (
	"path/filepath"
	"slices"
)

// A bubblewrap layer (srt around Codex, Claude Code's own sandbox) denies writing a path that
// does not exist yet by creating it on the host, an empty file or directory at its first
// missing component, and mounting over it read-only. The runtime removes these mount points
// in its exit handler only, so a runtime that is killed leaves them in the workspace, where a
// later turn can commit them and an empty WORKFLOW.md changes what Symphony reads. The runtime
// creates them only inside the paths it lets the agent write; elsewhere the whole file system
// is already read-only.

// MountPointCandidates are the paths where a bubblewrap layer run under this policy may leave
// a mount point: each denied path inside a writable root, and every directory between that
// root and it, since the mount point lands on the first missing component (.claude for
// .claude/commands in a workspace with no .claude). Package agent records which of them are
// absent before the sandboxed process starts and removes the empty ones it left.
func (p *Policy) MountPointCandidates() []string {
	// Symphony's guardrail files; those in the home directory lie outside every writable
	// root and are dropped below.
	denied := p.guardrailWriteDeny()
	// The git metadata each git root denies; a linked worktree's config in the primary
	// clone's .git/worktrees/<name> is denied by name though git never creates it.
	denied = append(denied, p.deniedGitMetadata()...)
	// The runtime's own names, in the workspace where it starts, and Claude Code's.
	builtin := runtimeBuiltinWriteDeny
	if p.Runtime == RuntimeClaude {
		builtin = append(slices.Clone(builtin), claudeBuiltinWriteDeny...)
	}
	for _, name := range builtin {
		denied = append(denied, expandGlobs([]string{filepath.Join(p.Workspace, name)})...)
	}
	var out []string
	for _, path := range denied {
		root, ok := p.writableRootOf(path)
		if !ok {
			continue
		}
		for dir := path; dir != root; dir = filepath.Dir(dir) {
			out = append(out, dir)
		}
	}
	return dedupe(out)
}

// writableRootOf is the writable root holding path, where the runtime may create a mount
// point: the workspace or a git metadata root. The session's own directories are left out,
// as they are removed whole when the session ends, and so are allow_write_paths entries,
// which Resolve keeps clear of every denied home path.
func (p *Policy) writableRootOf(path string) (string, bool) {
	if !filepath.IsAbs(path) {
		return "", false
	}
	for _, r := range append([]string{p.Workspace}, p.GitRoots...) {
		if path != r && within(path, r) {
			return r, true
		}
	}
	return "", false
}
