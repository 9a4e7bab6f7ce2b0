package sandbox

import (
	"strings"
	"testing"
)

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
			"Read-denied paths — Codex managed permission profile",
			"~/.ssh\n", testHome + "/.ssh\n",
			testWS + "/WORKFLOW.md\n", testWS + "/.git/hooks\n", testHome + "/.gitconfig\n",
			"OPEN in this mode",
			"net-other-port-via-proxy",
			"host name only",
			`"granular"`,
			"Network: allowlist",
		}, []string{"api.github.com", "api.linear.app", "read-ssh-key: read", "overwrite-workflow-md:"}},
		{"srt", func(in *Input) { in.Permissions.OuterSandbox.Runtime = OuterSRT }, []string{
			`This policy runs as "srt"`,
			"enforced by srt",
			`"externalSandbox"`,
			"read-codex-auth: read ~/.codex/auth.json",
			"blocks every Unix socket",
		}, []string{"read-ssh-key: read", "overwrite-workflow-md:"}},
		{"claude", func(in *Input) { in.Runtime = RuntimeClaude }, []string{
			"Approval policy: never",
			"Claude enforcement has not been measured",
		}, []string{"Measured guarantees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := mustResolve(t, tt.edit).Explain(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
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
