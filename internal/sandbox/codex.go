package sandbox

import (
	"os"
	"path/filepath"
	"strings"
)

// CodexProfile is the permission profile name Symphony defines through --config overrides.
const CodexProfile = "symphony"

// CodexParams is what the Codex adapter sends, opaquely: thread/start approvalPolicy and
// sandbox, turn/start sandboxPolicy, and --config overrides for the app-server command line.
//
// PermissionProfile names the managed profile the overrides define. Codex enforces that
// profile's deny lists and domain rules only when a thread selects it by name (thread/start
// "permissions") instead of sending the legacy sandbox and sandboxPolicy fields, which
// replace it with plain workspace-write; TestSecurityMatrix measures both. It is empty under
// srt, whose outer sandbox takes the profile's place (Codex's own cannot run nested inside it),
// so the session sends the legacy fields with an externalSandbox turn policy instead.
type CodexParams struct {
	ApprovalPolicy    any
	AutoApproveAll    bool
	ThreadSandbox     string
	TurnSandboxPolicy map[string]any
	ConfigOverrides   []string
	PermissionProfile string
}

// Codex renders the policy for a Codex app-server session.
func (p *Policy) Codex() CodexParams {
	c := CodexParams{
		ApprovalPolicy:    p.ApprovalPolicy,
		AutoApproveAll:    p.AutoApproveAll,
		ThreadSandbox:     p.ThreadSandbox,
		TurnSandboxPolicy: p.TurnSandboxPolicy(),
		ConfigOverrides:   p.CodexConfigOverrides(),
	}
	if p.Mode() == ModeCodexProfile {
		c.PermissionProfile = CodexProfile
	}
	return c
}

// WritableRoots are the workspace, every git metadata root and the operator turn policy's
// extra writableRoots, in that order.
func (p *Policy) WritableRoots() []string {
	roots := append([]string{p.Workspace}, p.GitRoots...)
	return dedupe(append(roots, p.extraWritable...))
}

// TurnSandboxPolicy is the turn/start sandboxPolicy. Shared /tmp is excluded: the session's
// own TMPDIR stays writable, and other sessions' scratch files stay out of reach. Under srt it is externalSandbox, because
// Codex's own bubblewrap sandbox cannot start nested inside srt's. Otherwise an operator
// workspaceWrite policy keeps its fields but always gains the workspace and git roots.
func (p *Policy) TurnSandboxPolicy() map[string]any {
	if p.Outer == OuterSRT {
		access := "enabled"
		if p.NetworkMode == NetworkBlock {
			access = "restricted"
		}
		return map[string]any{"type": "externalSandbox", "networkAccess": access}
	}
	if p.turnPolicy == nil {
		return map[string]any{
			"type":                "workspaceWrite",
			"writableRoots":       p.WritableRoots(),
			"networkAccess":       p.NetworkMode != NetworkBlock,
			"excludeSlashTmp":     true,
			"excludeTmpdirEnvVar": false,
		}
	}
	out := make(map[string]any, len(p.turnPolicy)+1)
	for k, v := range p.turnPolicy {
		out[k] = v
	}
	if out["type"] == "workspaceWrite" {
		out["writableRoots"] = p.WritableRoots()
	}
	return out
}

// codexAccess is the access of a Codex filesystem entry, from least to most restrictive.
type codexAccess int

const (
	accessWrite codexAccess = iota
	accessRead
	accessNone
)

// word is the access as Codex spells it; each word is boxed once for the whole process.
func (a codexAccess) word() any {
	switch a {
	case accessWrite:
		return "write"
	case accessRead:
		return "read"
	}
	return "none"
}

// codexFS collects filesystem entries; a path named twice keeps its first place and its most
// restrictive access, because a TOML inline table cannot repeat a key and a later looser
// value must never win.
type codexFS struct {
	list   []tomlEntry
	access []codexAccess // of list's entries
	index  map[string]int
}

// newCodexFS has room for about n entries.
func newCodexFS(n int) *codexFS {
	return &codexFS{list: make([]tomlEntry, 0, n), access: make([]codexAccess, 0, n), index: make(map[string]int, n)}
}

func (f *codexFS) set(path string, access codexAccess) {
	i, seen := f.index[path]
	if !seen {
		f.index[path] = len(f.list)
		f.list = append(f.list, tomlEntry{Key: path, Value: access.word()})
		f.access = append(f.access, access)
		return
	}
	if access > f.access[i] {
		f.list[i].Value, f.access[i] = access.word(), access
	}
}

// setBothForms sets path and, for a home-relative one, its expanded form (see bothForms),
// leaving out a form keep refuses.
func (f *codexFS) setBothForms(path, home string, access codexAccess, keep func(string) bool) {
	if keep(path) {
		f.set(path, access)
	}
	if strings.HasPrefix(path, "~/") {
		if abs := expandHome(path, home); keep(abs) {
			f.set(abs, access)
		}
	}
}

// codexFilesystem returns the permission profile's filesystem entries in render order.
func (p *Policy) codexFilesystem() []tomlEntry {
	protected := p.protectedReads()
	fs := newCodexFS(2*(len(p.DenyRead)+len(protected)+len(homeWriteDeny)) + len(workspaceWriteDeny) + 16)
	fs.set("/", accessRead)
	fs.set(":tmpdir", accessWrite)
	for _, r := range p.WritableRoots() {
		fs.set(r, accessWrite)
	}
	// The session directory may lie inside the denied state root, and Codex runs its sandbox
	// helper from the session CODEX_HOME inside the sandbox. Codex brings back only a writable
	// entry under a denied one, so the session directory (TMPDIR lives there) is writable and
	// its CODEX_HOME read-only again, keeping the helper and config out of the agent's reach;
	// sibling sessions stay hidden. TestSecurityMatrix measures it.
	rebound := p.SessionDir != "" && p.CodexHome != ""
	outsideReboundHome := func(d string) bool { return !rebound || filepath.Dir(d) != p.CodexHome }
	for _, list := range [][]string{p.DenyRead, protected} {
		for _, d := range list {
			fs.setBothForms(d, p.Home, accessNone, outsideReboundHome)
		}
	}
	for _, d := range p.SymphonyState {
		fs.set(d, accessNone)
	}
	if rebound {
		fs.set(p.SessionDir, accessWrite)
		fs.set(p.CodexHome, accessRead)
		// Inside the re-bound CODEX_HOME only config.toml is denied by name: the adapter writes
		// it before Codex starts, and bubblewrap cannot mount over a path missing from a
		// read-only bind. auth.json there is a link to the operator's file, denied at its
		// target (Codex refuses a deny entry on a link inside a writable directory).
		fs.set(filepath.Join(p.CodexHome, "config.toml"), accessNone)
	}
	present := dirPresence{}
	for _, w := range workspaceWriteDeny {
		dir := ""
		if top, _, nested := strings.Cut(w, "/"); nested {
			dir = filepath.Join(p.Workspace, top)
		}
		if path := filepath.Join(p.Workspace, w); present.existsIn(dir, path) {
			fs.set(path, accessRead)
		}
	}
	for _, root := range p.GitRoots {
		for _, e := range gitMetadataWriteDeny {
			// Codex accepts globs only for "none"; its built-in .git protection covers the
			// per-worktree config files those globs name.
			if path := filepath.Join(root, e); !strings.Contains(e, "*") && present.existsIn(root, path) {
				fs.set(path, accessRead)
			}
		}
	}
	all := func(string) bool { return true }
	for _, h := range homeWriteDeny {
		fs.setBothForms(h, p.Home, accessRead, all)
	}
	for _, c := range p.ReadCarveOuts {
		fs.set(c, accessRead)
	}
	return fs.list
}

// exists reports whether path exists. Codex makes a read-only entry inside a writable root by
// bind-mounting over it, and bubblewrap aborts the whole sandbox, intermittently, when that
// mount point is missing, so such entries are rendered only for paths present at launch.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// dirPresence remembers which directories exist, so the entries inside a missing .claude or
// .git cost one stat, not one each: a path inside a directory that cannot be found cannot be
// found either.
type dirPresence map[string]bool

// existsIn reports whether path, which lies inside dir ("" when it needs no check), exists.
func (d dirPresence) existsIn(dir, path string) bool {
	if dir != "" {
		found, known := d[dir]
		if !known {
			found = exists(dir)
			d[dir] = found
		}
		if !found {
			return false
		}
	}
	return exists(path)
}

// guardrailWriteDeny are the home files (in both forms) and the workspace guard files every
// layer keeps unwritable, in render order; the result is a fresh slice callers may extend.
func (p *Policy) guardrailWriteDeny() []string {
	out := bothForms(homeWriteDeny, p.Home)
	for _, w := range workspaceWriteDeny {
		out = append(out, filepath.Join(p.Workspace, w))
	}
	return out
}

// gitWriteDeny expands the git metadata deny entries under every git root.
func (p *Policy) gitWriteDeny() []string {
	var out []string
	for _, root := range p.GitRoots {
		for _, e := range gitMetadataWriteDeny {
			out = append(out, filepath.Join(root, e))
		}
	}
	return out
}

// CodexConfigOverrides are the `--config key=value` arguments defining and selecting the
// managed permission profile. Keys were checked against codex-cli 0.169.0: unknown access
// words or network modes make it refuse to start.
func (p *Policy) CodexConfigOverrides() []string {
	prefix := "permissions." + CodexProfile
	out := []string{
		"default_permissions=" + tomlString(CodexProfile),
		tomlOverride(prefix+".filesystem", p.codexFilesystem()),
	}
	switch p.NetworkMode {
	case NetworkBlock:
		out = append(out, tomlOverride(prefix+".network", []tomlEntry{{"enabled", false}}))
	case NetworkOpen:
		out = append(out, tomlOverride(prefix+".network", []tomlEntry{{"enabled", true}, {"mode", "full"}}))
	default:
		domains := make([]tomlEntry, 0, len(p.AllowedDomains)+len(p.DeniedDomains))
		for _, d := range p.AllowedDomains {
			domains = append(domains, tomlEntry{d, "allow"})
		}
		for _, d := range p.DeniedDomains {
			domains = append(domains, tomlEntry{d, "deny"})
		}
		// Domain rules are enforced only by Codex's network proxy; without the feature flag
		// the allowlist would be advisory and every host reachable.
		out = append(out,
			tomlOverride(prefix+".network", []tomlEntry{{"enabled", true}, {"mode", "full"}}),
			tomlOverride(prefix+".network.domains", domains),
			"features.network_proxy=true",
		)
	}
	return out
}
