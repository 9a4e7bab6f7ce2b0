package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText renders the explanation as plain text; every fact in the JSON form appears here.
func (e Explanation) WriteText(w io.Writer) error {
	t := &textWriter{w: w}
	t.line("Runtime: %s    outer sandbox: %s", e.Runtime, e.OuterSandbox)
	t.line("Approval: %s", e.Approval.Summary)
	policy, _ := json.Marshal(e.Approval.Policy)
	t.line("  (sent to the runtime as approvalPolicy %s)", policy)
	if e.PermissionProfile != "" {
		t.line("Codex permission profile: %q", e.PermissionProfile)
	}
	if e.ThreadSandbox != "" {
		turn, _ := json.Marshal(e.TurnSandboxPolicy)
		t.line("Thread sandbox: %s    turn sandboxPolicy: %s", e.ThreadSandbox, turn)
	}
	t.line("Enforced by: %s", e.EnforcedBy)
	t.line("Paths: ~ is %s; each path is listed once and enforced in both spellings.", e.Home)
	t.section("Writable roots", e.WritableRoots)
	t.section("Read-denied paths", e.ReadDenied)
	t.section("Symphony's own state (read-denied above: state root, logs root, config files)", e.SymphonyState)
	t.section("Write-denied paths", e.WriteDenied)

	t.line("")
	t.line("Network: %s", e.Network.Summary)
	if e.Network.Mode == NetworkAllowlist {
		t.list("allowed", e.Network.Allowed)
		t.list("denied (always wins)", e.Network.Denied)
	}
	if len(e.Network.RuntimeHosts) > 0 {
		t.list("also reachable by the whole process (the runtime's own API hosts)", e.Network.RuntimeHosts)
	}
	if e.Mode != "" {
		e.writeMatrix(t)
	}
	t.line("")
	for _, n := range e.Notes {
		t.line("Note: %s", n)
	}
	return t.err
}

func (e Explanation) writeMatrix(t *textWriter) {
	t.line("")
	t.line("Measured guarantees (codex-cli 0.169.0, claude 2.1.197, srt 0.0.78, Linux).")
	t.line("This policy runs as %q. Columns:", e.Mode)
	t.line("  codex-native  = Codex's legacy thread/turn sandbox fields (not used by Symphony; shown for comparison)")
	t.line("  codex-profile = outer_sandbox none: the managed profile selected by name (Symphony's default)")
	t.line("  srt           = outer_sandbox srt")
	t.line("  claude        = agent.runtime claude: Claude Code's own sandbox under Symphony's settings")
	t.line("")
	t.line("  %-28s %-14s %-14s %-14s %s", "attack", ModeCodexNative, ModeCodexProfile, ModeSRT, ModeClaude)
	measuredBy := map[string][]string{}
	var suites []string
	for _, r := range e.Matrix {
		t.line("  %-28s %-14s %-14s %-14s %s", r.Attack, r.Outcomes[ModeCodexNative], r.Outcomes[ModeCodexProfile], r.Outcomes[ModeSRT], r.Outcomes[ModeClaude])
		if measuredBy[r.MeasuredBy] == nil {
			suites = append(suites, r.MeasuredBy)
		}
		measuredBy[r.MeasuredBy] = append(measuredBy[r.MeasuredBy], r.Attack)
	}
	t.line("")
	t.line("Attacks:")
	for _, r := range e.Matrix {
		t.line("  %s: %s", r.Attack, r.Description)
	}
	t.line("Measured by:")
	for _, s := range suites {
		t.line("  %s: %s", s, strings.Join(measuredBy[s], ", "))
	}
	t.line("")
	var unmeasured []string
	for _, r := range e.Matrix {
		if r.Outcomes[e.Mode] == Unmeasured {
			unmeasured = append(unmeasured, r.Attack)
		}
	}
	if len(unmeasured) > 0 {
		t.line("Not measured in this mode: %s", strings.Join(unmeasured, ", "))
	}
	if len(e.OpenInMode) == 0 {
		t.line("Every measured attack is blocked in this mode.")
		return
	}
	t.line("OPEN in this mode (measured, not enforced): %s", strings.Join(e.OpenInMode, ", "))
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
	}
}

func (t *textWriter) section(title string, items []string) {
	t.line("")
	t.line("%s (%d):", title, len(items))
	for _, it := range items {
		t.line("  %s", it)
	}
}

func (t *textWriter) list(title string, items []string) {
	if len(items) == 0 {
		t.line("  %s: (none)", title)
		return
	}
	t.line("  %s: %s", title, strings.Join(items, ", "))
}
