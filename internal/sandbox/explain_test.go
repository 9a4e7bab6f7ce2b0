package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func explainText(t *testing.T, e Explanation) string {
	t.Helper()
	var b strings.Builder
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExplainStatesTheMeasuredTruth(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Input)
		want    []string
		notWant []string
	}{
		{"codex profile default", nil, []string{
			`This policy runs as "codex-profile"`,
			"selected by name on thread/start",
			"\n  ~/.ssh\n",
			"\n  " + testWS + "/WORKFLOW.md\n", "\n  " + testWS + "/.git/hooks\n", "\n  ~/.gitconfig\n",
			"OPEN in this mode (measured, not enforced): net-other-port-via-proxy\n",
			"host name only",
			"Approval: the agent is never asked: Codex refuses every approval request itself",
			"commands outside the sandbox are refused",
			"Network: allowlist",
			"\n  /var/lib/symphony\n", "\n  /etc/symphony/symphony.yml\n",
		}, []string{"api.github.com", "api.linear.app", "\n  " + testHome + "/.ssh\n"}},
		{"srt", func(in *Input) { in.Permissions.OuterSandbox.Runtime = OuterSRT }, []string{
			`This policy runs as "srt"`,
			"Enforced by: srt",
			`"externalSandbox"`,
			"OPEN in this mode (measured, not enforced): read-codex-auth\n",
			"blocks every Unix socket",
			"a host:port entry is enforced to that port",
		}, []string{"net-other-port-via-proxy\n"}},
		{"auto approve all", func(in *Input) { in.Permissions.ApprovalPolicy = "auto_approve_all" }, []string{
			"Approval: auto_approve_all: Symphony approves every request itself, so a command the agent asks to run outside the sandbox does run",
		}, []string{"commands outside the sandbox are refused"}},
		{"reject map asking about one category", func(in *Input) {
			in.Permissions.ApprovalPolicy = map[string]any{"reject": map[string]any{"sandbox_approval": false}}
		}, []string{
			"Approval: Codex asks Symphony about running commands outside the sandbox and Symphony declines (no human watches); Codex refuses exec-policy rule prompts",
		}, nil},
		{"untrusted", func(in *Input) { in.Permissions.ApprovalPolicy = "untrusted" }, []string{
			`Approval: Codex policy "untrusted": Codex may ask before running commands, and Symphony declines every request (no human watches); commands outside the sandbox are refused`,
		}, nil},
		{"claude", func(in *Input) { in.Runtime = RuntimeClaude }, []string{
			"Approval: the agent is never asked",
			`This policy runs as "claude"`,
			"  read-claude-credentials      allowed        blocked        blocked        blocked\n",
			"Not measured in this mode: outlive-killed-service\n",
			"OPEN in this mode (measured, not enforced): env-operator-secrets\n",
			"Claude's network proxy refused the allow-listed loopback host",
		}, []string{"has not been measured"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := explainText(t, mustResolve(t, func(in *Input) {
				*in = stateInput(nil)
				if tt.edit != nil {
					tt.edit(in)
				}
			}).Explain())
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("explain lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("explain mentions %q:\n%s", w, out)
				}
			}
		})
	}
}

// Each path appears once per section: the written and expanded spellings of a home path are
// one place.
func TestExplainListsEachPathOnce(t *testing.T) {
	for _, outer := range []string{OuterNone, OuterSRT} {
		t.Run(outer, func(t *testing.T) {
			e := mustResolve(t, func(in *Input) {
				*in = stateInput(nil)
				in.Permissions.OuterSandbox.Runtime = outer
			}).Explain()
			for name, list := range map[string][]string{"writable": e.WritableRoots, "read-denied": e.ReadDenied, "write-denied": e.WriteDenied} {
				seen := map[string]bool{}
				for _, p := range list {
					if abs := expandHome(p, testHome); seen[abs] {
						t.Errorf("%s lists %s twice", name, abs)
					} else {
						seen[abs] = true
					}
					if strings.HasPrefix(p, testHome+"/") {
						t.Errorf("%s shows %s instead of its ~ form", name, p)
					}
				}
			}
		})
	}
}

// The --json form parses back into the same value, and every fact in it appears in the
// text: each listed path on a line of its own, each matrix cell, the approval summary.
func TestExplainJSONMatchesText(t *testing.T) {
	for _, outer := range []string{OuterNone, OuterSRT} {
		t.Run(outer, func(t *testing.T) {
			e := mustResolve(t, func(in *Input) {
				*in = stateInput(nil)
				in.Permissions.OuterSandbox.Runtime = outer
			}).Explain()
			raw, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			var back Explanation
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatalf("explain JSON does not parse: %v\n%s", err, raw)
			}
			text := explainText(t, back)
			lines := strings.Split(text, "\n")
			for _, list := range [][]string{back.WritableRoots, back.ReadDenied, back.WriteDenied, back.SymphonyState} {
				for _, p := range list {
					if !slices.Contains(lines, "  "+p) {
						t.Errorf("text lacks the line %q", "  "+p)
					}
				}
			}
			if n := strings.Count(text, "\n  "+testState+"\n"); n != 2 {
				t.Errorf("state root listed %d times, want twice (read-denied and Symphony's own state)", n)
			}
			for _, r := range back.Matrix {
				row := fmt.Sprintf("  %-28s %-14s %-14s %-14s %s", r.Attack, r.Outcomes[ModeCodexNative], r.Outcomes[ModeCodexProfile], r.Outcomes[ModeSRT], r.Outcomes[ModeClaude])
				if !slices.Contains(lines, row) {
					t.Errorf("text lacks matrix row %q", row)
				}
				if r.Outcomes[back.Mode] != Measured[r.Attack][back.Mode] {
					t.Errorf("JSON row %s differs from sandbox.Measured", r.Attack)
				}
			}
			if len(back.Matrix) != len(Attacks) {
				t.Errorf("JSON matrix has %d rows, want %d", len(back.Matrix), len(Attacks))
			}
			for _, s := range []string{back.Approval.Summary, back.Network.Summary, back.EnforcedBy} {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, d := range back.Network.Allowed {
				if !strings.Contains(text, d) {
					t.Errorf("text lacks allowed domain %s", d)
				}
			}
		})
	}
}
