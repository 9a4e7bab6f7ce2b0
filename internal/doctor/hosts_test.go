package doctor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
)

// On a real sshd host: an agent the login shell finds is ok with its path there, one it does
// not find fails with the host named in the fix, and a host that cannot be reached is a
// transient failure that does not refuse the start.
func TestHostAgentCheck(t *testing.T) {
	host, run := sshdHost(t)
	checks := Checks(Options{AgentCommand: "sh -c true", WorkerHosts: []string{host.Addr()}, HostRun: run})
	var check Check
	for _, c := range checks {
		if c.Name == "agent@"+host.Addr() {
			check = c
		}
	}
	if check.Run == nil {
		t.Fatalf("no agent@%s check among %d checks", host.Addr(), len(checks))
	}
	if r := check.Run(t.Context()); r.Status != StatusOK || !strings.Contains(r.Detail, "/sh on "+host.Addr()) {
		t.Errorf("sh on the host: %+v", r)
	}
	r := checkHostAgent(t.Context(), run, host.Addr(), "no-such-agent-xyz --flag")
	if r.Status != StatusFail || !r.Blocking() || !strings.Contains(r.Fix, host.Addr()) || !strings.Contains(r.Detail, "no-such-agent-xyz") {
		t.Errorf("a missing agent: %+v", r)
	}
	host.Stop()
	if r := checkHostAgent(t.Context(), run, host.Addr(), "sh"); r.Status != StatusFail || r.Blocking() {
		t.Errorf("an unreachable host: %+v, want a transient failure", r)
	}
}

// sshdHost starts a test sshd and returns it with a HostRun reaching it.
func sshdHost(t *testing.T) (*sshdtest.Host, HostRun) {
	fleet := sshdtest.NewFleet(t)
	tr := sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile, ConnectTimeout: 5 * time.Second}
	return fleet.AddHost(), func(ctx context.Context, host string, remote []string) ([]byte, error) {
		h, err := sshworker.ParseHost(host)
		if err != nil {
			return nil, err
		}
		return tr.Run(ctx, h, remote, nil)
	}
}

// With worker hosts the agent and its workspaces live there: this machine is not asked for
// the agent, bwrap, the workspace root or its disk (the root is a path on the hosts), and the
// agent is looked for on every host. Without hosts those local checks are all there.
func TestWorkerHostsReplaceTheLocalAgentChecks(t *testing.T) {
	names := func(o Options) map[string]bool {
		got := map[string]bool{}
		for _, c := range Checks(o) {
			got[c.Name] = true
		}
		return got
	}
	base := Options{AgentCommand: "codex app-server", Bwrap: true, WorkspaceRoot: "/srv/symphony/workspaces"}
	local := names(base)
	for _, name := range []string{"agent", "bwrap", "workspace-root", "disk", "state-root", "logs-root", "tracker"} {
		if !local[name] {
			t.Errorf("without worker hosts the %s check is missing", name)
		}
	}
	base.WorkerHosts = []string{"w1", "w2:2222"}
	remote := names(base)
	for _, name := range []string{"agent", "bwrap", "workspace-root", "disk"} {
		if remote[name] {
			t.Errorf("with worker hosts the local %s check still runs", name)
		}
	}
	for _, name := range []string{"agent@w1", "agent@w2:2222", "agent-credentials", "git", "state-root", "logs-root", "tracker"} {
		if !remote[name] {
			t.Errorf("with worker hosts the %s check is missing", name)
		}
	}
}

// With worker hosts only the environment's key counts: a login file on this machine does not
// reach the hosts, so without the variable the check fails and names it; a provider selected
// in agent.command is checked by its own variable.
func TestHostCredentialsAreTheEnvironmentsKey(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	for _, tc := range []struct {
		name, runtime, command string
		vars                   map[string]string
		status                 Status
		mention                string
	}{
		{"codex key", "codex", "codex app-server", map[string]string{"OPENAI_API_KEY": "sk"}, StatusOK, "OPENAI_API_KEY"},
		{"codex alternative key", "codex", "codex app-server", map[string]string{"CODEX_API_KEY": "sk"}, StatusOK, "CODEX_API_KEY"},
		{"codex without a key", "codex", "codex app-server", nil, StatusFail, "OPENAI_API_KEY"},
		{"claude key", "claude", "claude", map[string]string{"ANTHROPIC_API_KEY": "sk"}, StatusOK, "ANTHROPIC_API_KEY"},
		{"claude without a key", "claude", "claude", map[string]string{"OPENAI_API_KEY": "sk"}, StatusFail, "ANTHROPIC_API_KEY"},
		{"selected provider", "codex", "codex --config model_provider=mock --config model_providers.mock.env_key=MOCK_KEY app-server",
			nil, StatusFail, "MOCK_KEY"},
	} {
		r := checkHostCredentials(tc.runtime, tc.command, env(tc.vars))
		if r.Status != tc.status || !strings.Contains(r.Detail+r.Fix, tc.mention) {
			t.Errorf("%s: %+v, want %s naming %s", tc.name, r, tc.status, tc.mention)
		}
	}
}
