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
