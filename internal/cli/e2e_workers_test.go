package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// workerStatus is the part of `symphony status --json` these tests read.
type workerStatus struct {
	Running []struct {
		IssueIdentifier string `json:"issue_identifier"`
		WorkerHost      string `json:"worker_host"`
	} `json:"running"`
	Queued []struct {
		IssueIdentifier string `json:"issue_identifier"`
		WaitReason      string `json:"wait_reason"`
	} `json:"queued"`
	WorkerHosts []struct {
		Host    string `json:"host"`
		Healthy bool   `json:"healthy"`
		Running int    `json:"running"`
	} `json:"worker_hosts"`
}

// workerE2E is the e2e environment with two real sshd worker hosts of one slot each; every
// agent session hands its issue to review, the first request of the issues named in slow
// after a slow stream.
func workerE2E(t *testing.T, slow map[string]time.Duration, issues ...string) (*e2eEnv, [2]*sshdtest.Host, *codextest.Responses) {
	t.Helper()
	e := newE2E(t, issues...)
	hosts := e.addWorkerHosts(t)
	mock := codextest.NewResponses(t)
	handOff := codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}}
	mock.Choose = func(r codextest.Request) codextest.Step {
		if len(r.ToolOutputs) > 0 {
			return codextest.Step{Text: "handed off"}
		}
		step := handOff
		text, _ := json.Marshal(r.Input)
		for id, d := range slow {
			if strings.Contains(string(text), "Work on "+id+":") {
				step.Delay = d
			}
		}
		return step
	}
	e.writeConfig(t, mock)
	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	// On worker hosts workspaces.root is a path there, so it must be absolute.
	cfg := strings.Replace(string(data), "concurrency: {max_total: 1}", "concurrency: {max_total: 3}", 1)
	cfg = strings.Replace(cfg, "root: workspaces", "root: "+filepath.Join(e.dir, "workspaces"), 1)
	cfg += "workers:\n  ssh_hosts: [" + hosts[0].Addr() + ", " + hosts[1].Addr() + "]\n  max_concurrent_agents_per_host: 1\n"
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return e, hosts, mock
}

// addWorkerHosts starts two real sshd hosts for the service (SYMPHONY_SSH_CONFIG) and makes
// each workspace record the host that made it.
func (e *e2eEnv) addWorkerHosts(t *testing.T) [2]*sshdtest.Host {
	t.Helper()
	fleet := sshdtest.NewFleet(t)
	hosts := [2]*sshdtest.Host{fleet.AddHost(), fleet.AddHost()}
	e.env = append(e.env, sshworker.EnvSSHConfig+"="+fleet.ConfigFile)
	// The hook runs on the worker host: SSH_CONNECTION's fourth field is the port of the
	// sshd that made the workspace, which tells the two hosts of this machine apart.
	os.WriteFile(filepath.Join(e.dir, "WORKFLOW.md"), []byte("---\nhooks:\n  after_create: echo \"$SSH_CONNECTION\" > .worker-host\n---\n"+
		"Work on {{ issue.identifier }}: {{ issue.title }}.\n"), 0o644)
	os.WriteFile(filepath.Join(e.src, ".gitignore"), []byte(".worker-host\n"), 0o644)
	testenv.Git(t, e.src, "add", ".gitignore")
	testenv.Git(t, e.src, "commit", "-qm", "ignore the host marker")
	testenv.Git(t, e.src, "push", "-q", "origin", "HEAD:main")
	return hosts
}

// checkRunsOnTheirHosts fails for a run that did not succeed on a worker host or whose
// workspace under root was made by another host; it returns the runs per host.
func checkRunsOnTheirHosts(t *testing.T, runs []store.Run, root string) map[string]int {
	t.Helper()
	used := map[string]int{}
	for _, r := range runs {
		if r.Status != store.StatusSuccess || r.WorkerHost == "" {
			t.Errorf("run of %s: status %s on host %q (%s)", r.IssueIdentifier, r.Status, r.WorkerHost, r.Error)
		}
		if got := hostOfWorkspace(root, r.IssueIdentifier); got != r.WorkerHost {
			t.Errorf("%s's workspace was made by %q, its run records %q", r.IssueIdentifier, got, r.WorkerHost)
		}
		used[r.WorkerHost]++
	}
	return used
}

// gone reports whether process pid has exited (a zombie waiting to be reaped counts).
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(data), ") ")
	return strings.HasPrefix(rest, "Z")
}

// waitForService polls done until it holds, failing the test when the service exits first
// or after 200 s, with the service's stderr.
func waitForService(t *testing.T, cmd *exec.Cmd, stderr *lockedBuffer, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(200 * time.Second); !done(); time.Sleep(300 * time.Millisecond) {
		if gone(cmd.Process.Pid) {
			t.Fatalf("symphony exited while waiting for %s\nstderr:\n%s", what, stderr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\nstderr:\n%s", what, stderr)
		}
	}
}

func (e *e2eEnv) workerStatus(t *testing.T) (workerStatus, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd, out, _ := e.command(ctx, "status", "--json")
	var st workerStatus
	if cmd.Run() != nil || json.Unmarshal(out.Bytes(), &st) != nil {
		return st, false
	}
	return st, true
}

// hostOfWorkspace is the worker host (127.0.0.1:<port>) whose sshd made the issue's
// workspace under root, read from the marker the after_create hook wrote there.
func hostOfWorkspace(root, id string) string {
	data, err := os.ReadFile(filepath.Join(root, "demo", id, ".worker-host"))
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) != 4 {
		return ""
	}
	return "127.0.0.1:" + f[3]
}

// TestTwoWorkerHostsRunThreeIssuesWithRealCodex runs the service with two real sshd worker
// hosts of one slot each and the real codex against the mock model: three issues run two at
// a time, the third waiting with no_worker_capacity until a slot frees; each workspace is made
// by the host its run records, and once the issues are done the next start removes their
// workspaces.
func TestTwoWorkerHostsRunThreeIssuesWithRealCodex(t *testing.T) {
	slow := map[string]time.Duration{"DEMO-1": 400 * time.Millisecond, "DEMO-2": 400 * time.Millisecond}
	e, hosts, _ := workerE2E(t, slow, "DEMO-1", "DEMO-2", "DEMO-3")
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd, stderr := e.startService(t, ctx)
	waitFor := func(what string, done func() bool) { t.Helper(); waitForService(t, cmd, stderr, what, done) }
	sawWaiting := false
	waitFor("all three issues in review", func() bool {
		if st, ok := e.workerStatus(t); ok {
			for _, q := range st.Queued {
				sawWaiting = sawWaiting || q.WaitReason == "no_worker_capacity"
			}
			if len(st.Running) > 2 {
				t.Fatalf("%d sessions at once on two one-slot hosts: %+v", len(st.Running), st.Running)
			}
		}
		for _, id := range []string{"DEMO-1", "DEMO-2", "DEMO-3"} {
			if e.issueState(t, id) != "Human Review" {
				return false
			}
		}
		return e.unfinishedRuns(t) == 0
	})
	if !sawWaiting {
		t.Error("status never showed the third issue waiting with no_worker_capacity")
	}
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs %+v, %v; want three", runs, err)
	}
	used := checkRunsOnTheirHosts(t, runs, filepath.Join(e.dir, "workspaces"))
	if used[hosts[0].Addr()] == 0 || used[hosts[1].Addr()] == 0 {
		t.Errorf("runs per host %v, want both hosts used", used)
	}

	// Done issues' workspaces go at the next start, on the host each ran on.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	for deadline := time.Now().Add(time.Minute); !gone(cmd.Process.Pid); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the service did not stop on SIGTERM\nstderr:\n%s", stderr)
		}
	}
	for _, id := range []string{"DEMO-1", "DEMO-2", "DEMO-3"} {
		path := filepath.Join(e.issues, id+".md")
		data, _ := os.ReadFile(path)
		os.WriteFile(path, []byte(strings.Replace(string(data), "state: Human Review", "state: Done", 1)), 0o644)
	}
	cmd, stderr = e.startService(t, ctx)
	waitFor("the workspaces removed on their hosts", func() bool {
		for _, id := range []string{"DEMO-1", "DEMO-2", "DEMO-3"} {
			if _, err := os.Stat(filepath.Join(e.dir, "workspaces", "demo", id)); err == nil {
				return false
			}
		}
		return true
	})
}

// TestWorkerHostDyingMidRunFailsOverWithRealCodex stops one host's sshd while its issue's
// turn streams: the run is recorded as worker_host_unavailable, the issue runs again on the
// other host, the dead host shows unhealthy, and once its sshd is back a probe returns it to
// service.
func TestWorkerHostDyingMidRunFailsOverWithRealCodex(t *testing.T) {
	slow := map[string]time.Duration{"DEMO-1": 3 * time.Second}
	e, hosts, mock := workerE2E(t, slow, "DEMO-1")
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd, stderr := e.startService(t, ctx)
	waitFor := func(what string, done func() bool) { t.Helper(); waitForService(t, cmd, stderr, what, done) }
	var first string
	waitFor("DEMO-1 running on a host", func() bool {
		st, ok := e.workerStatus(t)
		if ok && len(st.Running) == 1 && st.Running[0].WorkerHost != "" {
			first = st.Running[0].WorkerHost
		}
		return first != ""
	})
	dead, other := hosts[0], hosts[1]
	if first == hosts[1].Addr() {
		dead, other = hosts[1], hosts[0]
	}
	// Take the host away while the turn's slow first response streams: the model has the
	// turn's request, so the agent is mid-turn on the host.
	waitFor("DEMO-1's turn under way on its host", func() bool { return len(mock.Requests()) > 0 })
	dead.Stop()
	waitFor("DEMO-1 handed off from the other host", func() bool {
		return e.issueState(t, "DEMO-1") == "Human Review" && e.unfinishedRuns(t) == 0
	})
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v; want the lost attempt and the one that finished", runs, err)
	}
	lost, done := runs[1], runs[0]
	if lost.WorkerHost != dead.Addr() || !strings.Contains(lost.Error, "worker_host_unavailable") {
		t.Errorf("the first run: host %q, status %s, error %q; want %s with worker_host_unavailable", lost.WorkerHost, lost.Status, lost.Error, dead.Addr())
	}
	if done.WorkerHost != other.Addr() || done.Status != store.StatusSuccess {
		t.Errorf("the second run: host %q, status %s; want success on %s", done.WorkerHost, done.Status, other.Addr())
	}
	healthOf := func(host string) (healthy, known bool) {
		st, ok := e.workerStatus(t)
		if !ok {
			return false, false
		}
		for _, h := range st.WorkerHosts {
			if h.Host == host {
				return h.Healthy, true
			}
		}
		return false, false
	}
	if healthy, known := healthOf(dead.Addr()); !known || healthy {
		t.Errorf("the stopped host: healthy %v (known %v), want out of service", healthy, known)
	}
	// The lost session's directory could not be removed while its host was down.
	sessions := remotews.SessionsRoot(filepath.Join(e.dir, "workspaces"))
	left, _ := filepath.Glob(filepath.Join(sessions, "codex-*"))
	if len(left) == 0 {
		t.Fatalf("no session directory left under %s by the run lost with its host", sessions)
	}
	dead.Start()
	waitFor("the host back in service after a probe", func() bool {
		healthy, known := healthOf(dead.Addr())
		return known && healthy
	})
	for _, dir := range left {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the lost session's directory %s is still on the host after it came back: %v", dir, err)
		}
	}
}

// TestTwoWorkerHostsRunIssuesWithRealClaude runs the service with agent.runtime claude and two
// real sshd worker hosts of one slot each: each issue's claude runs on a host, hands the issue
// off through a scoped tool that reaches the tracker here over the forwarded MCP socket, its
// workspace is made by the host its run records, and no session directory is left on the
// hosts.
func TestTwoWorkerHostsRunIssuesWithRealClaude(t *testing.T) {
	claudeBin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	e := newE2E(t, "DEMO-1", "DEMO-2")
	hosts := e.addWorkerHosts(t)
	// A short root: the forwarded MCP socket lives below it and a socket path holds ~100 bytes.
	root, err := os.MkdirTemp("", "cw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var mu sync.Mutex
	var results []string
	mock := claudetest.New(t, func(r claudetest.Request) claudetest.Reply {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r.ToolResults...)
		switch {
		case len(r.ToolResults) > 0:
			return claudetest.Reply{Text: "handed off"}
		case len(r.Tools) > 0:
			return claudetest.Reply{ToolUse: &claudetest.ToolUse{Name: "mcp__symphony__tracker_update_state", Input: map[string]any{"state_name_or_id": "Human Review"}}}
		}
		return claudetest.Reply{Text: "nothing to do"}
	})
	e.env = append(e.env, "ANTHROPIC_BASE_URL="+mock.URL, "ANTHROPIC_API_KEY=e2e-key")
	cfg := claudeConfig(root, claudeBin, 2) + fmt.Sprintf("workers:\n  ssh_hosts: [%s, %s]\n  max_concurrent_agents_per_host: 1\n", hosts[0].Addr(), hosts[1].Addr())
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, stderr := e.startService(t, ctx)
	waitForService(t, cmd, stderr, "both issues handed off", func() bool {
		return e.issueState(t, "DEMO-1") == "Human Review" && e.issueState(t, "DEMO-2") == "Human Review" && e.unfinishedRuns(t) == 0
	})
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v; want two", runs, err)
	}
	if used := checkRunsOnTheirHosts(t, runs, root); len(used) != 2 {
		t.Errorf("runs per host %v, want both hosts used", used)
	}
	mu.Lock()
	handOffs := strings.Count(strings.Join(results, "\n"), "Human Review")
	mu.Unlock()
	if handOffs < 2 {
		t.Errorf("the model saw %d tracker answers naming Human Review, want one per issue: %q", handOffs, results)
	}
	if bins, _ := filepath.Glob(filepath.Join(root, ".symphony", "bin", "symphony-*")); len(bins) != 1 {
		t.Errorf("symphony copies on the hosts: %v, want one (both hosts share this machine's root)", bins)
	}
	if left, _ := os.ReadDir(filepath.Join(root, ".symphony", "sessions")); len(left) != 0 {
		t.Errorf("session directories left on the hosts: %v", left)
	}
	assertNoClaudeLeft(t, root)
}
