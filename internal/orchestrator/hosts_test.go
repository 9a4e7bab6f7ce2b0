package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/workspace"
)

// fakeHosts stands in for the worker hosts: each has its own workspace root directory, a
// host marked down refuses agent sessions before their handshake as ssh would, and probes
// answer as the test says.
type fakeHosts struct {
	t     testing.TB
	ws    map[string]*workspace.Manager
	roots map[string]string

	mu         sync.Mutex
	down       map[string]bool
	probeFails map[string]bool
	probes     []string
	// sessionHosts is the host of every session request, oldest first, by identifier.
	sessionHosts map[string][]string
	// lostDuringBeforeRun names hosts whose connection drops while before_run runs there.
	lostDuringBeforeRun map[string]bool
}

// droppingWorkspaces is a host's workspaces whose connection drops during before_run, as
// remotews reports it: a workspace error wrapping ssh's exit 255.
type droppingWorkspaces struct {
	Workspaces
	host string
}

func (d droppingWorkspaces) BeforeRun(context.Context, workspace.Workspace, map[string]string) error {
	return &workspace.Error{Code: workspace.CodeFilesystem, Msg: "validating workspace on " + d.host,
		Err: &sshworker.CommandError{Host: d.host, ExitCode: 255, HostUnavailable: true, Stderr: "Connection refused"}}
}

func newFakeHosts(t testing.TB, hosts []string, repos []workspace.Repo) *fakeHosts {
	t.Helper()
	f := &fakeHosts{t: t, ws: map[string]*workspace.Manager{}, roots: map[string]string{}, down: map[string]bool{},
		probeFails: map[string]bool{}, sessionHosts: map[string][]string{}, lostDuringBeforeRun: map[string]bool{}}
	for _, entry := range hosts {
		h, err := sshworker.ParseHost(entry)
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(t.TempDir(), "host-"+h.Name)
		m, err := workspace.New(workspace.Options{Root: root, Repos: repos, FreeBytes: func(string) (uint64, error) { return 1 << 40, nil }})
		if err != nil {
			t.Fatal(err)
		}
		f.ws[h.String()], f.roots[h.String()] = m, root
	}
	return f
}

func (f *fakeHosts) workspaces(host string) (Workspaces, error) {
	m, ok := f.ws[host]
	if !ok {
		return nil, fmt.Errorf("unknown fake host %q", host)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lostDuringBeforeRun[host] {
		return droppingWorkspaces{Workspaces: m, host: host}, nil
	}
	return m, nil
}

func (f *fakeHosts) probe(_ context.Context, host string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.probes = append(f.probes, host)
	if f.probeFails[host] {
		return errors.New("ssh: connect to host " + host + ": Connection refused")
	}
	return nil
}

// connect records the session's host and fails it as ssh does when the host is down.
func (f *fakeHosts) connect(r AgentRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessionHosts[r.Issue.Identifier] = append(f.sessionHosts[r.Issue.Identifier], r.Host)
	if f.down[r.Host] {
		return agent.Errorf(agent.Code(sshworker.CodeWorkerHostUnavailable), "ssh exited 255: ssh: connect to host %s: Connection refused", r.Host)
	}
	return nil
}

func (f *fakeHosts) setDown(host string, down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down[host] = down
}

func (f *fakeHosts) setProbeFails(host string, fails bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.probeFails[host] = fails
}

func (f *fakeHosts) probed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.probes)
}

func (f *fakeHosts) sessionsOn(identifier string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sessionHosts[identifier])
}

// workspaceOn says whether identifier's workspace directory exists on host.
func (f *fakeHosts) workspaceOn(host, identifier string) bool {
	p, err := f.ws[host].Path("app", identifier)
	if err != nil {
		f.t.Fatal(err)
	}
	return exists(p)
}

func withHosts(perHost int, hosts ...string) option {
	return withSettings(func(s *Settings) { s.WorkerHosts, s.MaxAgentsPerHost = hosts, perHost })
}

func hostRow(s *Snapshot, host string) HostRow {
	for _, r := range s.Hosts {
		if r.Host == host {
			return r
		}
	}
	return HostRow{}
}

func runningOn(id, host string) func(*Snapshot) bool {
	return func(s *Snapshot) bool { r, ok := s.Find(id); return ok && r.Host == host && r.PID != 0 }
}

// TestHostsThirdIssueWaitsForWorkerCapacity: two hosts with one slot each run two of three
// issues, one per host; the third waits with no_worker_capacity (never on this machine) and
// runs on the host whose slot frees first, in its workspace there.
func TestHostsThirdIssueWaitsForWorkerCapacity(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha", "beta:2222"))
	gates := map[string]chan struct{}{}
	for n := 1; n <= 3; n++ {
		is := newIssue(n, "Todo")
		h.put(is)
		gates[is.ID] = make(chan struct{})
		h.agents.Script(is.Identifier, scriptWait(gates[is.ID]))
	}
	t.Cleanup(func() {
		for _, id := range []string{"id-2", "id-3"} {
			close(gates[id])
		}
	})
	h.start()
	h.waitFor("two issues running, one per host", func(s *Snapshot) bool {
		return runningOn("id-1", "alpha")(s) && runningOn("id-2", "beta:2222")(s)
	})
	s := h.waitFor("the third to wait for worker capacity", func(s *Snapshot) bool {
		return len(s.Queued) == 1 && s.Queued[0].IssueID == "id-3" && s.Queued[0].Reason == sshworker.CodeNoWorkerCapacity
	})
	if !slices.ContainsFunc(s.Blockers, func(b Blocker) bool { return b.Kind == BlockerNoWorkerCapacity }) {
		t.Errorf("blockers %+v lack %s", s.Blockers, BlockerNoWorkerCapacity)
	}
	for _, host := range []string{"alpha", "beta:2222"} {
		if r := hostRow(s, host); !r.Healthy || r.Running != 1 || r.Capacity != 1 {
			t.Errorf("host row %s = %+v, want healthy with 1 of 1 running", host, r)
		}
	}
	if got := h.hosts.sessionsOn("ENG-3"); len(got) != 0 {
		t.Fatalf("ENG-3 started sessions on %v while no host had a free slot", got)
	}
	if !h.hosts.workspaceOn("alpha", "ENG-1") || h.hosts.workspaceOn("beta:2222", "ENG-1") || exists(h.workspacePath("app", "ENG-1")) {
		t.Error("ENG-1's workspace is not (only) on alpha")
	}

	close(gates["id-1"])
	h.waitFor("the third issue on alpha, whose slot freed", runningOn("id-3", "alpha"))
	h.waitFor("the capacity blocker to clear", func(s *Snapshot) bool {
		return !slices.ContainsFunc(s.Blockers, func(b Blocker) bool { return b.Kind == BlockerNoWorkerCapacity })
	})
	if !h.hosts.workspaceOn("alpha", "ENG-3") || exists(h.workspacePath("app", "ENG-3")) {
		t.Error("ENG-3's workspace is not on alpha")
	}
	h.waitStatuses("id-1", store.StatusSuccess)
	if r := h.runs("id-1")[0]; r.WorkerHost != "alpha" {
		t.Errorf("ENG-1's run records host %q, want alpha", r.WorkerHost)
	}
	h.eventually("ENG-3's run record on alpha", func() bool {
		runs := h.runs("id-3")
		return len(runs) == 1 && runs[0].WorkerHost == "alpha"
	})
}

// TestHostsRetryPrefersItsPreviousHost: a failed attempt's retry goes back to the host that
// holds its workspace although another host is as lightly loaded and earlier in the list.
func TestHostsRetryPrefersItsPreviousHost(t *testing.T) {
	h := newHarness(t, withHosts(0, "alpha", "beta"))
	first, second := newIssue(1, "Todo"), newIssue(2, "Todo")
	h.put(first)
	h.put(second)
	handOff := make(chan struct{})
	handedOff := first
	handedOff.State = "Human Review"
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Wait: handOff}}})
	h.agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.CodeTurnFailed, "the agent failed")},
		{Wait: make(chan struct{})},
	}})
	h.start()
	h.waitFor("ENG-2 to fail on beta and wait for its retry", func(s *Snapshot) bool {
		r, ok := s.Retry("id-2")
		return ok && r.Attempt == 1 && r.Host == "beta" && runningOn("id-1", "alpha")(s)
	})
	// ENG-1 hands off and leaves alpha empty: by load and list order alpha would win now.
	h.put(handedOff)
	close(handOff)
	h.waitFor("ENG-1 to finish", idle("id-1"))
	if r := hostRow(h.o.Snapshot(), "alpha"); r.Running != 0 {
		t.Fatalf("alpha still runs %d agents", r.Running)
	}
	h.advance(h.cfg.settings.failureBackoff(1))
	h.waitFor("the retry on beta", func(s *Snapshot) bool {
		r, ok := s.Find("id-2")
		return ok && r.Attempt == 1 && runningOn("id-2", "beta")(s)
	})
	if got := h.hosts.sessionsOn("ENG-2"); !slices.Equal(got, []string{"beta", "beta"}) {
		t.Errorf("ENG-2's sessions ran on %v, want beta twice", got)
	}
}

// TestHostsFailureBeforeHandshakeMovesTheIssue: a host that refuses the session before the
// agent's handshake is taken out of service, the run is recorded as worker_host_unavailable,
// and the issue runs on the other host at once on the same attempt; probes back off while the
// host stays down and return it to service once it answers.
func TestHostsFailureBeforeHandshakeMovesTheIssue(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha", "beta"))
	h.hosts.setDown("alpha", true)
	h.hosts.setProbeFails("alpha", true)
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", scriptWait(gate))
	h.start()
	s := h.waitFor("ENG-1 on beta", runningOn("id-1", "beta"))
	if r, _ := s.Find("id-1"); r.Attempt != 0 {
		t.Errorf("the failover used up an attempt: attempt %d, want 0", r.Attempt)
	}
	if got := h.hosts.sessionsOn("ENG-1"); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("ENG-1's sessions went to %v, want alpha then beta", got)
	}
	if _, ok := s.Retry("id-1"); ok {
		t.Error("the failover scheduled a retry")
	}
	alpha := hostRow(s, "alpha")
	if alpha.Healthy || alpha.Running != 0 || !strings.Contains(alpha.LastError, "Connection refused") ||
		!alpha.DownSince.Equal(epoch) || !alpha.NextProbe.Equal(epoch.Add(hostHealthPolicy.FirstProbeAfter)) {
		t.Errorf("alpha = %+v, want out of service since the failure with its first probe due", alpha)
	}
	h.waitStatuses("id-1", store.StatusFailure, store.StatusRunning)
	failed := h.runs("id-1")[1]
	if failed.WorkerHost != "alpha" || failed.Attempt != 0 || !strings.Contains(failed.Error, sshworker.CodeWorkerHostUnavailable) {
		t.Errorf("failed run = host %q attempt %d error %q, want alpha, 0 and %s", failed.WorkerHost, failed.Attempt, failed.Error, sshworker.CodeWorkerHostUnavailable)
	}

	h.advance(hostHealthPolicy.FirstProbeAfter)
	h.eventually("the first probe of alpha", func() bool { return len(h.hosts.probed()) == 1 })
	s = h.waitFor("the probe's back-off", func(s *Snapshot) bool {
		return hostRow(s, "alpha").NextProbe.Equal(epoch.Add(3 * hostHealthPolicy.FirstProbeAfter))
	})
	if hostRow(s, "alpha").Healthy {
		t.Fatal("a failed probe returned alpha to service")
	}
	h.hosts.setProbeFails("alpha", false)
	h.hosts.setDown("alpha", false)
	h.advance(2 * hostHealthPolicy.FirstProbeAfter)
	s = h.waitFor("alpha back in service", func(s *Snapshot) bool { return hostRow(s, "alpha").Healthy })
	if r := hostRow(s, "alpha"); r.ConsecutiveFailures != 0 || r.LastError != "" || !r.NextProbe.IsZero() {
		t.Errorf("alpha after its probe = %+v, want a clean record", r)
	}
	if got := h.hosts.probed(); !slices.Equal(got, []string{"alpha", "alpha"}) {
		t.Errorf("probes = %v, want alpha twice", got)
	}
}

// A host whose connection drops while Symphony prepares the workspace there (no agent yet)
// fails the run with worker_host_unavailable in its recorded error, whatever workspace
// step was under way, and the issue moves to the other host.
func TestHostsWorkspaceStepOnALostHostIsRecordedAsTheHosts(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha", "beta"))
	h.hosts.mu.Lock()
	h.hosts.lostDuringBeforeRun["alpha"] = true
	h.hosts.mu.Unlock()
	h.hosts.setProbeFails("alpha", true)
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", scriptWait(gate))
	h.start()
	h.waitFor("ENG-1 on beta", runningOn("id-1", "beta"))
	h.waitStatuses("id-1", store.StatusFailure, store.StatusRunning)
	lost := h.runs("id-1")[1]
	if lost.WorkerHost != "alpha" || !strings.HasPrefix(lost.Error, sshworker.CodeWorkerHostUnavailable+": ") || !strings.Contains(lost.Error, "Connection refused") {
		t.Errorf("lost run = host %q error %q, want alpha and an error that names %s first", lost.WorkerHost, lost.Error, sshworker.CodeWorkerHostUnavailable)
	}
}

// TestHostsFailureAfterATurnConsumesTheAttempt: when the host drops after a turn began, the
// workspace may have changed, so the attempt counts: the retry is the next attempt, on the
// other host, and the dropped host is out of service.
func TestHostsFailureAfterATurnConsumesTheAttempt(t *testing.T) {
	h := newHarness(t, withHosts(0, "alpha", "beta"))
	h.hosts.setProbeFails("alpha", true)
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.Code(sshworker.CodeWorkerHostUnavailable), "ssh exited 255: Connection reset")},
		{Wait: gate},
	}})
	h.start()
	s := h.waitFor("the retry", retrying("id-1", 1))
	if r, _ := s.Retry("id-1"); r.Host != "alpha" {
		t.Errorf("retry host = %q, want alpha (its previous host)", r.Host)
	}
	if hostRow(s, "alpha").Healthy {
		t.Error("alpha stayed in service after its connection dropped")
	}
	h.advance(h.cfg.settings.failureBackoff(1))
	h.waitFor("attempt 1 on beta", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.Attempt == 1 && r.Host == "beta" })
}

// TestHostsRestartKeepsTheRetryHost: a retry recorded before a restart goes back to the host
// of its previous attempt after it, as do the snapshot's retry rows.
func TestHostsRestartKeepsTheRetryHost(t *testing.T) {
	state := t.TempDir()
	opts := []option{withHosts(0, "alpha", "beta"), func(c *harnessConfig) { c.stateRoot = state }}
	first := newHarness(t, opts...)
	first.put(newIssue(1, "Todo"))
	first.put(newIssue(2, "Todo"))
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	first.agents.Script("ENG-1", scriptWait(hold))
	first.agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeTurnFailed, "the agent failed")}}})
	first.start()
	first.waitFor("ENG-2's retry after failing on beta", func(s *Snapshot) bool { r, ok := s.Retry("id-2"); return ok && r.Host == "beta" })
	first.eventually("the retry row", func() bool {
		rows, err := first.store.Retries(context.Background())
		return err == nil && len(rows) == 1 && rows[0].WorkerHost == "beta"
	})
	first.closeDurable()

	h := newHarness(t, opts...)
	h.put(newIssue(2, "Todo"))
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	h.agents.Script("ENG-2", scriptWait(gate))
	h.start()
	s := h.o.Snapshot()
	if r, ok := s.Retry("id-2"); !ok || r.Host != "beta" {
		t.Fatalf("restored retry = %+v, want one preferring beta", r)
	}
	h.advance(h.cfg.settings.failureBackoff(1))
	h.waitFor("the restored retry on beta", runningOn("id-2", "beta"))
	if got := h.hosts.sessionsOn("ENG-2"); !slices.Equal(got, []string{"beta"}) {
		t.Errorf("ENG-2's sessions after the restart ran on %v, want beta", got)
	}
}

// TestHostsTerminalIssueWorkspaceRemovedOnItsHost: stopping an attempt because its issue
// reached a terminal state removes its workspace on the host it ran on.
func TestHostsTerminalIssueWorkspaceRemovedOnItsHost(t *testing.T) {
	h := newHarness(t, withHosts(0, "alpha", "beta"))
	is := newIssue(1, "Todo")
	h.startWaiting(is)
	s := h.o.Snapshot()
	r, _ := s.Find("id-1")
	if r.Host != "alpha" || !h.hosts.workspaceOn("alpha", "ENG-1") {
		t.Fatalf("ENG-1 runs on %q; workspace on alpha: %v", r.Host, h.hosts.workspaceOn("alpha", "ENG-1"))
	}
	done := is
	done.State = "Done"
	h.put(done)
	h.poll()
	h.waitStatuses("id-1", store.StatusStopped)
	h.eventually("the workspace on alpha to go", func() bool { return !h.hosts.workspaceOn("alpha", "ENG-1") })
}

// TestHostsNeedTheirDeps: worker hosts without remote workspaces or probes are refused at New
// rather than running agents on this machine.
func TestHostsNeedTheirDeps(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha"))
	for _, tc := range []struct {
		name string
		drop func(*Deps)
		want string
	}{
		{"no HostWorkspaces", func(d *Deps) { d.HostWorkspaces = nil }, "Deps.HostWorkspaces"},
		{"no ProbeHost", func(d *Deps) { d.ProbeHost = nil }, "Deps.ProbeHost"},
		{"bad host", func(d *Deps) { d.Settings.WorkerHosts = []string{"fe80::1"} }, "workers.ssh_hosts[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := h.deps()
			tc.drop(&d)
			if _, err := New(d); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestRunOnceMovesToAnotherHostAfterAHostFailure: `symphony run` with worker hosts runs on
// a host, never on this machine, and an attempt that lost its host is retried on the next one.
func TestRunOnceMovesToAnotherHostAfterAHostFailure(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha", "beta"))
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.Code(sshworker.CodeWorkerHostUnavailable), "ssh exited 255: Connection reset")},
		{},
	}})
	res, err := h.runOnce("ENG-1", RunOptions{MaxRetries: 2}, h.cfg.settings.failureBackoff(1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeSuccess || res.Attempts != 2 {
		t.Fatalf("outcome %s after %d attempts (%v), want success after 2", res.Outcome, res.Attempts, res.Err)
	}
	if got := h.hosts.sessionsOn("ENG-1"); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("sessions ran on %v, want alpha then beta", got)
	}
	runs := h.runs("id-1")
	if len(runs) != 2 || runs[0].WorkerHost != "beta" || runs[1].WorkerHost != "alpha" {
		t.Fatalf("run records %+v, want alpha then beta", runs)
	}
	if exists(h.workspacePath("app", "ENG-1")) || !h.hosts.workspaceOn("beta", "ENG-1") {
		t.Error("the workspace is not on the hosts only")
	}
}

// TestHostsIssueWaitsForItsOnlyHostToComeBack: with its only host out of service the issue
// waits with no_worker_capacity instead of running here, and runs there on the same attempt
// once a probe reaches the host.
func TestHostsIssueWaitsForItsOnlyHostToComeBack(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha"))
	h.hosts.setDown("alpha", true)
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", scriptWait(gate))
	h.start()
	s := h.waitFor("the issue to wait for a host", func(s *Snapshot) bool {
		return len(s.Queued) == 1 && s.Queued[0].Reason == sshworker.CodeNoWorkerCapacity && !hostRow(s, "alpha").Healthy
	})
	if q := s.Queued[0]; q.IssueID != "id-1" || q.Attempt != 0 {
		t.Fatalf("queued %+v, want ENG-1 at attempt 0", q)
	}
	h.hosts.setDown("alpha", false)
	h.advance(hostHealthPolicy.FirstProbeAfter)
	s = h.waitFor("ENG-1 back on alpha", runningOn("id-1", "alpha"))
	if r, _ := s.Find("id-1"); r.Attempt != 0 {
		t.Errorf("attempt %d after waiting for the host, want 0", r.Attempt)
	}
	if exists(h.workspacePath("app", "ENG-1")) {
		t.Error("a workspace was made on this machine")
	}
}

// TestHostsFreeFailoversAreBounded: a host that answers its probes but fails every agent
// before the handshake moves the issue at most maxFreeFailovers times without using up an
// attempt; the next failure is the attempt's and the retry back-off applies.
func TestHostsFreeFailoversAreBounded(t *testing.T) {
	h := newHarness(t, withHosts(1, "alpha"))
	h.hosts.setDown("alpha", true)
	h.put(newIssue(1, "Todo"))
	h.start()
	for n := 1; n <= maxFreeFailovers; n++ {
		failedAt := epoch.Add(time.Duration(n-1) * hostHealthPolicy.FirstProbeAfter)
		h.waitFor(fmt.Sprintf("failover %d to wait for alpha", n), func(s *Snapshot) bool {
			alpha := hostRow(s, "alpha")
			return len(s.Queued) == 1 && s.Queued[0].Attempt == 0 && !alpha.Healthy && alpha.DownSince.Equal(failedAt)
		})
		h.advance(hostHealthPolicy.FirstProbeAfter)
	}
	s := h.waitFor("the next failure to use up the attempt", retrying("id-1", 1))
	if len(s.Queued) != 0 {
		t.Errorf("queued %+v besides the retry", s.Queued)
	}
	if got := h.hosts.sessionsOn("ENG-1"); len(got) != maxFreeFailovers+1 {
		t.Errorf("%d sessions, want %d", len(got), maxFreeFailovers+1)
	}
}
