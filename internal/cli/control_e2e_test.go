package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/testenv"
)

// controlEnv is an installation whose agent is codextest's fake app-server, holding every
// turn open until it is interrupted, so issues stay running while the test steers the
// service with the control commands.
type controlEnv struct {
	dir, bin, config, state, issues string
	env                             []string
}

func newControlEnv(t *testing.T, issues ...string) *controlEnv {
	t.Helper()
	testenv.Tool(t, "git")
	e := &controlEnv{dir: t.TempDir()}
	e.bin = filepath.Join(e.dir, "symphony")
	build := exec.Command("go", "build", "-o", e.bin, "./cmd/symphony")
	build.Dir = testenv.ModuleRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build symphony: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(e.dir, "fake-codex")
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'codex-cli 0.169.0'; exit 0; fi\n%s=%s exec %q\n",
		codexfake.EnvScenario, codexfake.FakeHangTurn, self)
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	origin, src := filepath.Join(e.dir, "origin.git"), filepath.Join(e.dir, "src")
	testenv.Git(t, e.dir, "init", "-q", "--bare", "-b", "main", origin)
	testenv.Git(t, e.dir, "clone", "-q", origin, src)
	os.WriteFile(filepath.Join(src, "README.md"), []byte("demo\n"), 0o644)
	testenv.Git(t, src, "add", "README.md")
	testenv.Git(t, src, "commit", "-qm", "seed")
	testenv.Git(t, src, "push", "-q", "origin", "HEAD:main")
	e.issues = filepath.Join(e.dir, "issues")
	os.MkdirAll(e.issues, 0o755)
	for i, id := range issues {
		text := fmt.Sprintf("---\ntitle: Task %d\nstate: Todo\npriority: %d\n---\nDo task %d.\n", i+1, i+1, i+1)
		os.WriteFile(filepath.Join(e.issues, id+".md"), []byte(text), 0o644)
	}
	os.WriteFile(filepath.Join(e.dir, "WORKFLOW.md"), []byte("Work on {{ issue.identifier }}.\n"), 0o644)
	e.config = filepath.Join(e.dir, "symphony.yml")
	cfg := fmt.Sprintf(`issues:
  provider: local
  poll_interval_ms: 1000
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
repositories:
  - key: demo
    workspace: {strategy: worktree, repo: src}
workspaces:
  root: workspaces
agent:
  runtime: codex
  command: %q
  concurrency: {max_total: 4}
  limits: {max_turns: 3}
dashboard: {enabled: true, host: 127.0.0.1, port: 0, snapshot_publish_ms: 200}
`, fake+" app-server")
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(e.dir, "home")
	os.MkdirAll(home, 0o700)
	// A short state root: the control socket's path must fit a Unix socket address.
	state, err := os.MkdirTemp("", "symctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	e.state = state
	e.env = append(os.Environ(), "HOME="+home, "SYMPHONY_STATE_ROOT="+e.state, "OPENAI_API_KEY=e2e-not-a-key",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	return e
}

// start runs the service in its own process group; the group is killed when the test ends.
func (e *controlEnv) start(t *testing.T) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(e.bin, "--config", e.config)
	cmd.Env, cmd.Dir = e.env, e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return cmd, out
}

// stop ends the service with SIGTERM and waits for it.
func (e *controlEnv) stop(t *testing.T, cmd *exec.Cmd, out *lockedBuffer) {
	t.Helper()
	syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("service exited with %v\n%s", err, out)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("service did not stop within a minute\n%s", out)
	}
}

// ctl runs a control command and returns its exit code and output.
func (e *controlEnv) ctl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"--config", e.config}, args...)...)
	cmd.Env, cmd.Dir = e.env, e.dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("symphony %v: %v", args, err)
	}
	return code, string(out)
}

func (e *controlEnv) mustCtl(t *testing.T, args ...string) string {
	t.Helper()
	code, out := e.ctl(t, args...)
	if code != 0 {
		t.Fatalf("symphony %v: exit %d\n%s", args, code, out)
	}
	return out
}

func (e *controlEnv) status(t *testing.T) server.State {
	t.Helper()
	var st server.State
	out := e.mustCtl(t, "status", "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st
}

func runningIDs(st server.State) []string {
	var ids []string
	for _, r := range st.Running {
		ids = append(ids, r.IssueIdentifier)
	}
	return ids
}

// waitState polls status --json until cond holds, for at most a minute.
func (e *controlEnv) waitState(t *testing.T, what string, out *lockedBuffer, cond func(server.State) bool) server.State {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		code, text := e.ctl(t, "status", "--json")
		var st server.State
		if code == 0 && json.Unmarshal([]byte(text), &st) == nil && cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last status (exit %d):\n%s\nservice output:\n%s", what, code, text, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stillFor checks that cond keeps holding for d: a thing that must not happen does not.
func (e *controlEnv) stillFor(t *testing.T, what string, d time.Duration, cond func(server.State) bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(300 * time.Millisecond) {
		if st := e.status(t); !cond(st) {
			t.Fatalf("%s: running %v, held %+v", what, runningIDs(st), st.Held)
		}
	}
}

func TestControlCommandsSteerARunningService(t *testing.T) {
	e := newControlEnv(t, "CTL-1", "CTL-2")
	if code, out := e.ctl(t, "status"); code != 1 || !strings.Contains(out, "cannot reach the service") || !strings.Contains(out, "symphony --config") {
		t.Fatalf("status with no service: exit %d\n%s", code, out)
	}
	if code, out := e.ctl(t, "stop"); code != 2 {
		t.Fatalf("stop without an issue: exit %d\n%s", code, out)
	}
	svc, out := e.start(t)
	both := func(st server.State) bool { return slices.Equal(runningIDs(st), []string{"CTL-1", "CTL-2"}) }
	st := e.waitState(t, "both issues running in their workspaces", out, func(st server.State) bool {
		return both(st) && st.Running[0].WorkspacePath != "" && st.Running[0].PID != 0
	})
	ws := st.Running[0].WorkspacePath
	scrapeRunningService(t, e.state)
	for _, f := range []string{server.TokenFile, server.URLFile, server.SocketFile} {
		info, err := os.Stat(filepath.Join(e.state, f))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, info)
		}
	}

	e.mustCtl(t, "stop", "CTL-1")
	held := func(st server.State) bool {
		return slices.Equal(runningIDs(st), []string{"CTL-2"}) && len(st.Held) == 1 && st.Held[0].IssueIdentifier == "CTL-1"
	}
	e.waitState(t, "CTL-1 stopped and held", out, held)
	if _, err := os.Stat(filepath.Join(ws, "README.md")); err != nil {
		t.Fatalf("the stopped issue's workspace is gone: %v", err)
	}
	e.mustCtl(t, "refresh")
	e.stillFor(t, "a stopped issue stays held across polls", 2500*time.Millisecond, held)
	if code, text := e.ctl(t, "unstop", "CTL-2"); code != 1 || !strings.Contains(text, "issue_not_held") {
		t.Fatalf("unstop of a running issue: exit %d\n%s", code, text)
	}
	e.mustCtl(t, "unstop", "CTL-1")
	e.waitState(t, "CTL-1 running again after unstop", out, both)

	e.mustCtl(t, "pause", "deploy")
	e.mustCtl(t, "stop", "CTL-1")
	e.waitState(t, "CTL-1 held again", out, held)
	e.mustCtl(t, "unstop", "CTL-1")
	e.stillFor(t, "no dispatch while paused", 2500*time.Millisecond, func(st server.State) bool {
		return slices.Equal(runningIDs(st), []string{"CTL-2"}) && st.Pause.Paused && st.Pause.Reason == "deploy"
	})

	e.stop(t, svc, out)
	if _, err := os.Stat(filepath.Join(e.state, server.URLFile)); !os.IsNotExist(err) {
		t.Errorf("the stopped service left its control_url behind: %v", err)
	}
	if code, _ := e.ctl(t, "status"); code != 1 {
		t.Fatalf("status after the service stopped: exit %d", code)
	}
	svc, out = e.start(t)
	st = e.waitState(t, "the restarted service", out, func(st server.State) bool { return st.LastPollAt != nil })
	if !st.Pause.Paused || st.Pause.Reason != "deploy" || st.DispatchState.Active {
		t.Fatalf("pause lost across restart: %+v %+v", st.Pause, st.DispatchState)
	}
	e.stillFor(t, "no dispatch after a paused restart", 2500*time.Millisecond, func(st server.State) bool { return len(st.Running) == 0 })
	if view := e.mustCtl(t, "status"); !strings.Contains(view, "Dispatch: held: paused by operator: deploy") {
		t.Fatalf("status view does not show the pause:\n%s", view)
	}
	e.mustCtl(t, "resume")
	e.waitState(t, "both issues running after resume", out, both)
	view := e.mustCtl(t, "status")
	for _, want := range []string{"Dispatch: active", "Agents: 2/4", "Running (2)", "CTL-1", "CTL-2"} {
		if !strings.Contains(view, want) {
			t.Errorf("status view lacks %q:\n%s", want, view)
		}
	}
	e.stop(t, svc, out)
}

// scrapeRunningService reads GET /metrics from the URL the service wrote, as Prometheus would,
// and lints it the way `promtool check metrics` does; two issues run, so their gauge shows 2.
func scrapeRunningService(t *testing.T, state string) {
	t.Helper()
	url, err := os.ReadFile(filepath.Join(state, server.URLFile))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(strings.TrimSpace(string(url)) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %v %s\n%s", err, resp.Status, body)
	}
	if !strings.Contains(string(body), "\nsymphony_running_issues 2\n") {
		t.Errorf("the scrape does not show two running issues:\n%s", body)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
