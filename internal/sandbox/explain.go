package sandbox

import (
	"path/filepath"
	"strings"
)

// Mode returns the enforcement arrangement this policy runs under.
func (p *Policy) Mode() Mode {
	if p.Runtime == RuntimeClaude {
		return ModeClaude
	}
	if p.Outer == OuterSRT {
		return ModeSRT
	}
	return ModeCodexProfile
}

// Explanation is the effective policy as `symphony sandbox explain` reports it. The text and
// the --json output both render this one value, so they always carry the same facts. Paths
// under the home directory are shown once, as "~/..."; every layer enforces both spellings.
type Explanation struct {
	Runtime      string `json:"runtime"`
	OuterSandbox string `json:"outer_sandbox"`
	// Mode is the measured enforcement arrangement; empty for runtimes the suite has not
	// measured.
	Mode              Mode           `json:"mode,omitempty"`
	Approval          Approval       `json:"approval"`
	PermissionProfile string         `json:"permission_profile,omitempty"`
	ThreadSandbox     string         `json:"thread_sandbox,omitempty"`
	TurnSandboxPolicy map[string]any `json:"turn_sandbox_policy,omitempty"`
	EnforcedBy        string         `json:"enforced_by"`
	Home              string         `json:"home"`
	WritableRoots     []string       `json:"writable_roots"`
	ReadDenied        []string       `json:"read_denied"`
	WriteDenied       []string       `json:"write_denied"`
	// SymphonyState are the read-denied entries holding Symphony's own state (state root,
	// logs root, config files); they appear in ReadDenied too.
	SymphonyState []string       `json:"symphony_state"`
	Network       NetworkSummary `json:"network"`
	Matrix        []MatrixRow    `json:"matrix"`
	OpenInMode    []string       `json:"open_in_this_mode"`
	Notes         []string       `json:"notes"`
}

// Approval is the approval policy, as sent to the runtime and in words.
type Approval struct {
	Policy         any    `json:"policy"`
	AutoApproveAll bool   `json:"auto_approve_all"`
	Summary        string `json:"summary"`
}

// NetworkSummary is the network policy.
type NetworkSummary struct {
	Mode    string   `json:"mode"`
	Summary string   `json:"summary"`
	Allowed []string `json:"allowed"`
	Denied  []string `json:"denied"`
	// RuntimeHosts are reachable by the whole process under srt (the runtime's own API).
	RuntimeHosts []string `json:"runtime_hosts,omitempty"`
}

// MatrixRow is one measured attack and its outcome in every mode.
type MatrixRow struct {
	Attack      string           `json:"attack"`
	Description string           `json:"description"`
	MeasuredBy  string           `json:"measured_by"`
	Outcomes    map[Mode]Outcome `json:"outcomes"`
}

// Explain returns the effective policy, who enforces each part, and the measured attack
// matrix with the gaps of this mode named.
func (p *Policy) Explain() Explanation {
	e := Explanation{
		Runtime:      p.Runtime,
		OuterSandbox: p.Outer,
		Approval:     Approval{Policy: p.ApprovalPolicy, AutoApproveAll: p.AutoApproveAll, Summary: p.approvalSummary()},
		Home:         p.Home,
		Network:      p.networkSummary(),
	}
	if p.Runtime != RuntimeCodex {
		fs := p.ClaudeFilesystem()
		e.EnforcedBy = "the generated Claude Code sandbox settings"
		e.WritableRoots = p.displayPaths(append(p.WritableRoots(), fs.AllowWrite...))
		e.ReadDenied = p.displayPaths(fs.DenyRead)
		e.WriteDenied = p.displayPaths(fs.DenyWrite)
		e.SymphonyState = p.displayPaths(p.SymphonyState)
		e.Mode = ModeClaude
		e.Matrix, e.OpenInMode = measuredMatrix(e.Mode)
		e.Notes = modeNotes[e.Mode]
		return e
	}
	e.Mode = p.Mode()
	e.SymphonyState = p.displayPaths(p.SymphonyState)
	if p.Outer == OuterSRT {
		s, _ := p.SRTSettings()
		e.EnforcedBy = "srt (bubblewrap + filtering proxy) around the whole Codex process"
		e.ThreadSandbox, e.TurnSandboxPolicy = p.ThreadSandbox, p.TurnSandboxPolicy()
		e.WritableRoots = p.displayPaths(s.Filesystem.AllowWrite)
		e.ReadDenied = p.displayPaths(s.Filesystem.DenyRead)
		e.WriteDenied = p.displayPaths(s.Filesystem.DenyWrite)
	} else {
		e.EnforcedBy = "Codex managed permission profile (bubblewrap + network proxy), defined by --config overrides and selected by name on thread/start; guards inside the workspace and git roots apply to paths present at launch"
		e.PermissionProfile = CodexProfile
		var readDeny []string
		for _, entry := range p.codexFilesystem() {
			if entry.Value == "none" {
				readDeny = append(readDeny, entry.Key)
			}
		}
		writable := p.WritableRoots()
		if p.SessionDir != "" && p.CodexHome != "" {
			writable = append(writable, p.SessionDir)
		}
		e.WritableRoots = p.displayPaths(writable)
		e.ReadDenied = p.displayPaths(readDeny)
		e.WriteDenied = p.displayPaths(append(p.guardrailWriteDeny(), p.gitWriteDeny()...))
	}
	e.Matrix, e.OpenInMode = measuredMatrix(e.Mode)
	e.Notes = modeNotes[e.Mode]
	return e
}

// displayPaths shows each path once: entries naming the same place (as written and
// expanded) collapse into one, shown as "~/..." when it lies under the home directory.
func (p *Policy) displayPaths(paths []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, path := range paths {
		abs := expandHome(path, p.Home)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		out = append(out, p.tilde(abs))
	}
	return out
}

func (p *Policy) tilde(abs string) string {
	if abs == p.Home {
		return "~"
	}
	if rel, ok := strings.CutPrefix(abs, p.Home+"/"); ok && p.Home != "/" {
		return filepath.Join("~", rel)
	}
	return abs
}

func (p *Policy) networkSummary() NetworkSummary {
	n := NetworkSummary{Mode: p.NetworkMode, Allowed: nonNil(p.AllowedDomains), Denied: nonNil(p.DeniedDomains)}
	switch p.NetworkMode {
	case NetworkBlock:
		n.Summary = "block: agent commands make no outbound connections"
	case NetworkOpen:
		n.Summary = "open: unrestricted outbound network"
	default:
		n.Summary = "allowlist: built-in developer domains + allowed_domains - denied_domains (a denial always wins)"
		if p.Outer == OuterSRT {
			n.Summary += "; a host:port entry is enforced to that port"
		} else if p.Runtime == RuntimeCodex {
			n.Summary += "; entries name hosts only, and an allowed host is reachable on every port"
		}
	}
	if p.Outer == OuterSRT {
		n.RuntimeHosts = p.RuntimeHosts
	}
	return n
}

// measuredMatrix lists every row and the ones open (allowed though unwanted) in mode.
func measuredMatrix(mode Mode) ([]MatrixRow, []string) {
	rows := make([]MatrixRow, 0, len(Attacks))
	open := []string{}
	for _, a := range Attacks {
		rows = append(rows, MatrixRow{Attack: a.ID, Description: a.Description, MeasuredBy: a.MeasuredBy, Outcomes: Measured[a.ID]})
		if Measured[a.ID][mode] == Allowed && !expectedReachable(a.ID) {
			open = append(open, a.ID)
		}
	}
	return rows, open
}

// expectedReachable marks probes that a working session needs to succeed.
func expectedReachable(id string) bool {
	return id == AttackNetAllowed || id == AttackSocketOwn || id == AttackOwnTmpdir
}

// modeNotes are the caveats behind the matrix, per mode.
var modeNotes = map[Mode][]string{
	ModeCodexProfile: {
		"Codex matches allow-listed domains by host name only, so allowed_domains and denied_domains entries cannot name a port here (config check refuses host:port); an allowed host is reachable on every port through the proxy.",
		"agent commands cannot connect to any Unix socket, including the session's own socket dir.",
		"the session's own CODEX_HOME is readable but not writable by agent commands (Codex runs its sandbox helper from there); its config.toml is denied, and its auth.json links to the operator's, denied at the target.",
		"read-only guards inside the workspace and git roots cover only paths present at launch; guard files the agent creates later are not protected.",
	},
	ModeClaude: {
		"Claude Code's sandbox confines the commands the model runs (Bash), not the claude process: Claude itself reads its settings, MCP config and login, which agent commands cannot.",
		"Claude's network proxy refused the allow-listed loopback host in the measurement; allow-listed public hosts could not be measured offline.",
		"the commands Claude runs inherit its environment, ANTHROPIC_API_KEY included (measured); every other operator variable is dropped before claude starts. CLAUDE_CODE_SUBPROCESS_ENV_SCRUB would hide the key but was measured to let commands write outside the workspace, so it is not set.",
		"commands get TMPDIR=<temp dir>/symphony-sbx-<session>/claude-<uid> from Claude's sandbox: the session's own, outside the state root because Claude binds its proxy sockets beside it; Symphony removes it when the session ends.",
		"the outlive row was measured for Codex only (unmeasured here); each turn's process tree is ended through the agent supervisor, which an end-to-end test checks.",
		"git metadata outside the workspace (a linked worktree's) is writable so commits work; its config, hooks, info and packed-refs are write-denied.",
	},
	ModeSRT: {
		"srt confines the Codex process itself, so Codex's own auth.json and config.toml stay readable to agent commands; the session directory stays writable, its CODEX_HOME runtime files are write-denied.",
		"on Linux srt blocks every Unix socket (allowUnixSockets is macOS-only), including the session's own socket dir, and refuses TCP to the host's loopback: Symphony's MCP server is not started under srt (allowAllUnixSockets would open every host socket to agent commands); the tools reach the agent as Codex dynamic tools.",
		"the runtime's API hosts are reachable by agent commands too; srt cannot tell Codex from its children.",
		"worktree config files are denied by exact path at session start; worktrees created later are not covered.",
	},
}
