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
