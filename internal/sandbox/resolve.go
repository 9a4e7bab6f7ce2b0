package sandbox

import (
	"path/filepath"
	"slices"
	"strings"
)

// Codex SandboxMode values accepted by the installed app-server (0.169.0 schema).
var codexSandboxModes = []string{"read-only", "workspace-write", "danger-full-access"}

// Codex SandboxPolicy type tags (0.169.0 schema, TurnStartParams.sandboxPolicy).
var codexTurnPolicyTypes = []string{"workspaceWrite", "readOnly", "dangerFullAccess", "externalSandbox"}

const defaultSandboxMode = "workspace-write"

// Policy is a validated, defaulted permission policy for one session. Build it with Resolve.
type Policy struct {
	Runtime   string
	Workspace string
	// GitRoots are the writable git metadata roots: <workspace>/.git first, then the extra
	// roots the caller discovered (linked worktree git-dir and git-common-dir).
	GitRoots   []string
	CodexHome  string
	SessionDir string
	SocketDir  string
	Home       string
	// SymphonyState is Symphony's own state the agent may not read: the state root, the logs
	// root and the operator's config files, absolute and clean.
	SymphonyState []string

	ApprovalPolicy any // Codex wire value
	AutoApproveAll bool
	ThreadSandbox  string
	turnPolicy     map[string]any // operator's explicit turn policy, nil for the default
	extraWritable  []string       // the turn policy's writableRoots, honoured in every mode

	NetworkMode    string
	RuntimeHosts   []string
	AllowedDomains []string // effective allowlist: builtin + allowed - denied
	DeniedDomains  []string

	Outer                  string
	OuterCommand           string
	WeakerNetworkIsolation bool

	DenyRead        []string // shared read-deny entries left after carve-outs, as written
	ReadCarveOuts   []string // allow_read_paths, normalized
	AllowWritePaths []string // allow_write_paths, normalized (Claude)
}

// Resolve validates in, applies defaults and returns the session policy. Every rejected
// combination returns an *Error naming the offending key.
func Resolve(in Input) (*Policy, error) {
	p := &Policy{Runtime: in.Runtime}
	if in.Runtime != RuntimeCodex && in.Runtime != RuntimeClaude {
		return nil, errf(CodeInvalidRuntime, "agent.runtime", "must be codex or claude, got %q", in.Runtime)
	}
	if err := p.resolvePaths(in); err != nil {
		return nil, err
	}
	perm := in.Permissions
	var err error
	if p.ApprovalPolicy, p.AutoApproveAll, err = resolveApproval(in.Runtime, perm.ApprovalPolicy); err != nil {
		return nil, err
	}
	if err := p.resolveNetwork(perm.Network, in.RuntimeHosts); err != nil {
		return nil, err
	}
	if err := p.resolveOuter(in, perm.OuterSandbox); err != nil {
		return nil, err
	}
	if err := p.checkDomainPorts(perm.Network); err != nil {
		return nil, err
	}
	if err := p.resolveCodexSandbox(perm.Filesystem); err != nil {
		return nil, err
	}
	if err := p.checkSessionVisible(); err != nil {
		return nil, err
	}
	if err := p.resolveFilesystem(perm.Filesystem); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Policy) resolvePaths(in Input) error {
	abs := func(field, v string, required bool) (string, error) {
		if v == "" && !required {
			return "", nil
		}
		if !filepath.IsAbs(v) {
			return "", errf(CodeMissingSessionPath, field, "must be an absolute path, got %q", v)
		}
		return filepath.Clean(v), nil
	}
	var err error
	if p.Workspace, err = abs("workspace", in.Workspace, true); err != nil {
		return err
	}
	if p.Home, err = abs("home", in.Home, true); err != nil {
		return err
	}
	if p.CodexHome, err = abs("codex_home", in.CodexHome, false); err != nil {
		return err
	}
	if p.SessionDir, err = abs("session_dir", in.SessionDir, false); err != nil {
		return err
	}
	for _, d := range []string{p.CodexHome, p.SessionDir} {
		if d != "" && within(d, p.Workspace) {
			return errf(CodeInvalidPath, "session_dir", "%s is inside the workspace, where the agent could read and rewrite it", d)
		}
	}
	if p.SocketDir, err = abs("socket_dir", in.SocketDir, false); err != nil {
		return err
	}
	p.GitRoots = []string{filepath.Join(p.Workspace, ".git")}
	for _, r := range in.GitMetadataRoots {
		c, err := abs("git_metadata_roots", r, true)
		if err != nil {
			return err
		}
		p.GitRoots = append(p.GitRoots, c)
	}
	p.GitRoots = dedupe(p.GitRoots)
	return p.resolveSymphonyState(in, abs)
}

// checkSessionVisible refuses a Codex-profile session whose directory lies in the denied
// Symphony state without a known CODEX_HOME inside it: the profile could then bring the
// directory back only writable as a whole, CODEX_HOME and Codex's sandbox helper included.
func (p *Policy) checkSessionVisible() error {
	if p.Runtime != RuntimeCodex || p.Outer == OuterSRT || p.SessionDir == "" {
		return nil
	}
	if !slices.ContainsFunc(p.SymphonyState, func(d string) bool { return within(p.SessionDir, d) }) {
		return nil
	}
	if p.CodexHome == "" || !within(p.CodexHome, p.SessionDir) || p.CodexHome == p.SessionDir {
		return errf(CodeMissingSessionPath, "codex_home", "must name the CODEX_HOME inside session directory %s, which lies in Symphony's read-denied state", p.SessionDir)
	}
	return nil
}

// resolveSymphonyState collects the state root, logs root and config files. A workspace or
// git root inside one of them is refused: the deny would hide the agent's own checkout.
func (p *Policy) resolveSymphonyState(in Input, abs func(field, v string, required bool) (string, error)) error {
	fields := []string{"state_root", "logs_root"}
	values := []string{in.StateRoot, in.LogsRoot}
	for _, f := range in.ConfigFiles {
		fields, values = append(fields, "config_files"), append(values, f)
	}
	for i, v := range values {
		c, err := abs(fields[i], v, false)
		if err != nil {
			return err
		}
		if c == "" {
			continue
		}
		for _, r := range append([]string{p.Workspace}, p.GitRoots...) {
			if within(r, c) {
				return errf(CodeInvalidPath, fields[i], "%s would hide %s from the agent; keep workspaces and repositories outside Symphony's state and log directories", c, r)
			}
		}
		p.SymphonyState = append(p.SymphonyState, c)
	}
	// A path inside another entry (the default logs root lies in the state root) is covered
	// already, and bubblewrap cannot mount a second deny inside the first.
	all := dedupe(p.SymphonyState)
	p.SymphonyState = slices.DeleteFunc(slices.Clone(all), func(c string) bool {
		return slices.ContainsFunc(all, func(o string) bool { return o != c && within(c, o) })
	})
	return nil
}

func (p *Policy) resolveNetwork(n Network, runtimeHosts []string) error {
	p.NetworkMode = n.Mode
	if p.NetworkMode == "" {
		p.NetworkMode = NetworkAllowlist
	}
	if !slices.Contains([]string{NetworkAllowlist, NetworkBlock, NetworkOpen}, p.NetworkMode) {
		return errf(CodeInvalidNetworkMode, "agent.permissions.network.mode", "must be allowlist, block or open, got %q", n.Mode)
	}
	allowed, err := normalizeDomains("agent.permissions.network.allowed_domains", n.AllowedDomains)
	if err != nil {
		return err
	}
	if p.DeniedDomains, err = normalizeDomains("agent.permissions.network.denied_domains", n.DeniedDomains); err != nil {
		return err
	}
	p.AllowedDomains = effectiveDomains(p.NetworkMode, allowed, p.DeniedDomains)
	if p.RuntimeHosts, err = normalizeDomains("runtime_hosts", runtimeHosts); err != nil {
		return err
	}
	if len(p.RuntimeHosts) == 0 {
		p.RuntimeHosts = slices.Clone(runtimeDomains[p.Runtime])
	}
	return nil
}

func (p *Policy) resolveOuter(in Input, o OuterSandbox) error {
	const field = "agent.permissions.outer_sandbox.runtime"
	p.Outer = o.Runtime
	if p.Outer == "" {
		p.Outer = OuterNone
	}
	switch p.Outer {
	case OuterNone:
		if o.EnableWeakerNetworkIsolation {
			return errf(CodeInvalidOuterSandbox, "agent.permissions.outer_sandbox.enable_weaker_network_isolation", "only applies with runtime srt")
		}
		return nil
	case OuterSRT:
	default:
		return errf(CodeInvalidOuterSandbox, field, "must be none or srt, got %q", o.Runtime)
	}
	switch {
	case in.Runtime != RuntimeCodex:
		return errf(CodeSRTNonCodex, field, "srt wraps only the codex runtime, not %s", in.Runtime)
	case p.NetworkMode == NetworkOpen:
		return errf(CodeSRTOpenNetwork, field, "srt cannot express unrestricted network; use network.mode allowlist or block")
	case in.RemoteSSH:
		return errf(CodeSRTRemoteWorker, field, "srt settings are generated on this host and cannot wrap an SSH worker")
	}
	p.OuterCommand = strings.TrimSpace(o.Command)
	if p.OuterCommand == "" {
		p.OuterCommand = "srt"
	}
	p.WeakerNetworkIsolation = o.EnableWeakerNetworkIsolation
	return nil
}

func (p *Policy) resolveCodexSandbox(fs Filesystem) error {
	if p.Runtime != RuntimeCodex {
		if fs.Sandbox != "" && fs.Sandbox != defaultSandboxMode {
			return errf(CodeInvalidSandboxMode, "agent.permissions.filesystem.sandbox", "is a codex setting; %s sessions cannot use %q", p.Runtime, fs.Sandbox)
		}
		if fs.TurnPolicy != nil {
			return errf(CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy", "is a codex setting; %s sessions cannot use it", p.Runtime)
		}
		return nil
	}
	p.ThreadSandbox = fs.Sandbox
	if p.ThreadSandbox == "" {
		p.ThreadSandbox = defaultSandboxMode
	}
	if !slices.Contains(codexSandboxModes, p.ThreadSandbox) {
		return errf(CodeInvalidSandboxMode, "agent.permissions.filesystem.sandbox", "must be one of %s, got %q", strings.Join(codexSandboxModes, ", "), fs.Sandbox)
	}
	if fs.TurnPolicy == nil {
		return nil
	}
	typ, _ := fs.TurnPolicy["type"].(string)
	if !slices.Contains(codexTurnPolicyTypes, typ) {
		return errf(CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy.type", "must be one of %s, got %v", strings.Join(codexTurnPolicyTypes, ", "), fs.TurnPolicy["type"])
	}
	if p.Outer == OuterSRT && typ != "externalSandbox" {
		return errf(CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy.type", "must be externalSandbox (or unset) with outer_sandbox srt: Codex's own sandbox cannot run nested inside srt, got %q", typ)
	}
	p.turnPolicy = fs.TurnPolicy
	extra, err := turnPolicyRoots(fs.TurnPolicy["writableRoots"])
	if err != nil {
		return err
	}
	p.extraWritable = extra
	return nil
}

// turnPolicyRoots reads the operator's extra writableRoots: absolute paths only, because the
// same entries become write rules of the managed profile, which has no working directory to
// resolve a relative one against.
func turnPolicyRoots(v any) ([]string, error) {
	const key = "agent.permissions.filesystem.turn_policy.writableRoots"
	var raw []any
	switch roots := v.(type) {
	case nil:
		return nil, nil
	case []any:
		raw = roots
	case []string:
		for _, r := range roots {
			raw = append(raw, r)
		}
	default:
		return nil, errf(CodeInvalidTurnPolicy, key, "must be a list of absolute paths")
	}
	var out []string
	for _, r := range raw {
		s, ok := r.(string)
		if !ok || !filepath.IsAbs(s) {
			return nil, errf(CodeInvalidTurnPolicy, key, "entries must be absolute paths, got %v", r)
		}
		out = append(out, filepath.Clean(s))
	}
	return out, nil
}

func (p *Policy) resolveFilesystem(fs Filesystem) error {
	carve, err := normalizePaths("agent.permissions.filesystem.allow_read_paths", fs.AllowReadPaths)
	if err != nil {
		return err
	}
	protected := p.protectedReads()
	noCarve := append(slices.Clone(protected), p.SymphonyState...)
	for _, d := range []string{p.CodexHome, p.SessionDir} {
		if d != "" {
			noCarve = append(noCarve, d)
		}
	}
	for _, c := range carve {
		ca := expandHome(c, p.Home)
		for _, q := range noCarve {
			qa := expandHome(q, p.Home)
			if within(qa, ca) || within(ca, qa) {
				return errf(CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths", "%q would re-allow %s, which stays unreadable to agent commands", c, q)
			}
		}
	}
	p.ReadCarveOuts = carve
	p.DenyRead = slices.Clone(sharedDenyRead)
	if len(carve) > 0 {
		p.DenyRead = slices.DeleteFunc(p.DenyRead, func(d string) bool {
			da := expandHome(d, p.Home)
			return slices.ContainsFunc(carve, func(c string) bool { return expandHome(c, p.Home) == da })
		})
	}
	for _, d := range p.DenyRead {
		if da := expandHome(d, p.Home); within(p.Workspace, da) {
			return errf(CodeInvalidPath, "workspace", "%s lies inside the read-denied %s; choose a workspace root outside credential and mount paths", p.Workspace, d)
		}
	}
	if p.AllowWritePaths, err = normalizePaths("agent.permissions.filesystem.allow_write_paths", fs.AllowWritePaths); err != nil {
		return err
	}
	if len(p.AllowWritePaths) > 0 && p.Runtime != RuntimeClaude {
		return errf(CodeInvalidPath, "agent.permissions.filesystem.allow_write_paths", "applies to the claude runtime only; codex writable roots come from turn_policy.writableRoots")
	}
	guarded := append(append(slices.Clone(p.DenyRead), homeWriteDeny...), protected...)
	for _, w := range p.AllowWritePaths {
		wa := expandHome(w, p.Home)
		for _, g := range guarded {
			if within(expandHome(g, p.Home), wa) {
				return errf(CodeInvalidPath, "agent.permissions.filesystem.allow_write_paths", "%q would make the protected %s writable", w, g)
			}
		}
	}
	return nil
}

// protectedReads are the Codex runtime files (operator's ~/.codex and the session's own
// CODEX_HOME) that no carve-out may re-allow.
func (p *Policy) protectedReads() []string {
	out := make([]string, 0, 2*len(codexRuntimeFiles))
	for _, f := range codexRuntimeFiles {
		out = append(out, operatorCodexHome+"/"+f)
		if p.CodexHome != "" {
			out = append(out, filepath.Join(p.CodexHome, f))
		}
	}
	return out
}
