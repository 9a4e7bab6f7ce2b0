package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Mode returns the enforcement arrangement this policy runs under.
func (p *Policy) Mode() Mode {
	if p.Outer == OuterSRT {
		return ModeSRT
	}
	return ModeCodexProfile
}

// Explain writes the effective policy in plain text: approval, writable roots, deny lists,
// network, who enforces each part, and the measured attack matrix with the gaps named.
func (p *Policy) Explain(w io.Writer) error {
	e := &explainer{w: w}
	e.line("Runtime: %s    outer sandbox: %s", p.Runtime, p.Outer)
	if p.Runtime == RuntimeCodex {
		p.explainCodex(e)
	} else {
		e.line("Approval policy: never (permissions come from the generated Claude settings)")
		fs := p.ClaudeFilesystem()
		e.section("Writable roots (Claude sandbox settings)", append(p.WritableRoots(), fs.AllowWrite...))
		e.section("Read-denied paths (Claude sandbox settings)", fs.DenyRead)
		e.section("Write-denied paths (Claude sandbox settings)", fs.DenyWrite)
		e.line("")
		e.line("Claude enforcement has not been measured by this project's security suite; treat it as best-effort.")
	}
	return e.err
}

func (p *Policy) explainCodex(e *explainer) {
	approval, _ := json.Marshal(p.ApprovalPolicy)
	e.line("Approval policy: %s%s", approval, map[bool]string{true: "  (auto_approve_all: Symphony approves every request)", false: ""}[p.AutoApproveAll])
	turn, _ := json.Marshal(p.TurnSandboxPolicy())
	if p.Outer == OuterSRT {
		e.line("Thread sandbox: %s    turn sandboxPolicy: %s", p.ThreadSandbox, turn)
	} else {
		e.line("Managed Codex permission profile %q, defined by --config overrides and selected by name on thread/start", CodexProfile)
	}

	enforcer := "Codex managed permission profile (bubblewrap + network proxy)"
	if p.Outer == OuterSRT {
		enforcer = "srt (bubblewrap + filtering proxy) around the whole Codex process"
	}
	var readDeny, writeDeny []string
	if p.Outer == OuterSRT {
		s, _ := p.SRTSettings()
		readDeny, writeDeny = s.Filesystem.DenyRead, s.Filesystem.DenyWrite
		e.section("Writable roots — enforced by "+enforcer, s.Filesystem.AllowWrite)
	} else {
		e.section("Writable roots — enforced by "+enforcer, p.WritableRoots())
		for _, entry := range p.codexFilesystem() {
			if entry.Value == "none" {
				readDeny = append(readDeny, entry.Key)
			}
		}
		writeDeny = append(p.guardrailWriteDeny(), p.gitWriteDeny()...)
		enforcer += "; guards inside the workspace and git roots apply to paths present at launch"
	}
	e.section("Read-denied paths — "+enforcer, readDeny)
	e.section("Write-denied paths — "+enforcer, writeDeny)
	p.explainNetwork(e, enforcer)
	p.explainMatrix(e)
}

func (p *Policy) explainNetwork(e *explainer, enforcer string) {
	e.line("")
	switch p.NetworkMode {
	case NetworkBlock:
		e.line("Network: block — no outbound connections from agent commands (%s)", enforcer)
	case NetworkOpen:
		e.line("Network: open — unrestricted outbound network")
	default:
		e.line("Network: allowlist — built-in developer domains + allowed_domains - denied_domains (%s)", enforcer)
		e.list("allowed", p.AllowedDomains)
		e.list("denied (always wins)", p.DeniedDomains)
	}
	if p.Outer == OuterSRT {
		e.list("also reachable by the whole process (the runtime's own API hosts)", p.RuntimeHosts)
	}
}

func (p *Policy) explainMatrix(e *explainer) {
	mode := p.Mode()
	e.line("")
	e.line("Measured guarantees (codex-cli 0.169.0, srt 0.0.78, Linux; internal/sandbox TestSecurityMatrix).")
	e.line("This policy runs as %q. Columns:", mode)
	e.line("  codex-native  = Codex's legacy thread/turn sandbox fields (not used by Symphony; shown for comparison)")
	e.line("  codex-profile = outer_sandbox none: the managed profile selected by name (Symphony's default)")
	e.line("  srt           = outer_sandbox srt")
	e.line("")
	e.line("  %-26s %-14s %-14s %-14s", "attack", ModeCodexNative, ModeCodexProfile, ModeSRT)
	var gaps []string
	for _, a := range Attacks {
		row := Measured[a.ID]
		e.line("  %-26s %-14s %-14s %-14s", a.ID, row[ModeCodexNative], row[ModeCodexProfile], row[ModeSRT])
		if row[mode] == Allowed && !expectedReachable(a.ID) {
			gaps = append(gaps, fmt.Sprintf("%s: %s", a.ID, a.Description))
		}
	}
	e.line("")
	if len(gaps) == 0 {
		e.line("Every measured attack is blocked in this mode.")
	} else {
		e.line("OPEN in this mode (measured, not enforced):")
		for _, g := range gaps {
			e.line("  - %s", g)
		}
	}
	e.line("")
	for _, note := range modeNotes[mode] {
		e.line("Note: %s", note)
	}
}

// expectedReachable marks probes that a working session needs to succeed.
func expectedReachable(id string) bool {
	return id == AttackNetAllowed || id == AttackSocketOwn
}

// modeNotes are the caveats behind the matrix, per mode.
var modeNotes = map[Mode][]string{
	ModeCodexProfile: {
		"Codex matches allow-listed domains by host name only: an entry host:port opens every port on that host.",
		"agent commands cannot connect to any Unix socket, including the session's own socket dir.",
		"read-only guards inside the workspace and git roots cover only paths present at launch; guard files the agent creates later are not protected.",
	},
	ModeSRT: {
		"srt confines the Codex process itself, so Codex's own auth.json and config.toml stay readable to agent commands.",
		"on Linux srt blocks every Unix socket (allowUnixSockets is macOS-only), including the session's own socket dir: Symphony's MCP server must be reached over loopback TCP via the allowlist.",
		"the runtime's API hosts are reachable by agent commands too; srt cannot tell Codex from its children.",
		"worktree config files are denied by exact path at session start; worktrees created later are not covered.",
	},
}

type explainer struct {
	w   io.Writer
	err error
}

func (e *explainer) line(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format+"\n", args...)
	}
}

func (e *explainer) section(title string, items []string) {
	e.line("")
	e.line("%s (%d):", title, len(items))
	for _, it := range items {
		e.line("  %s", it)
	}
}

func (e *explainer) list(title string, items []string) {
	if len(items) == 0 {
		e.line("  %s: (none)", title)
		return
	}
	e.line("  %s: %s", title, strings.Join(items, ", "))
}
