package codex

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/sandbox"
)

func TestMain(m *testing.M) {
	reaper.Init()
	codexfake.MaybeRunFake()
	// Agents start under `bash -lc`; a private HOME keeps the machine's login files (and
	// anything they run, such as a pyenv rehash a killed test could leave locked) out of the
	// tests.
	home, err := os.MkdirTemp("", "codex-test-home-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	code := m.Run()
	cleanupSchemaDir()
	os.RemoveAll(home)
	os.Exit(code)
}

// recorder collects session events.
type recorder struct {
	mu     sync.Mutex
	events []agent.Event
}

func (r *recorder) sink(ev agent.Event) {
	// Raw is only valid during the callback.
	ev.Raw = bytes.Clone(ev.Raw)
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) all() []agent.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) ofKind(kind agent.EventKind) []agent.Event {
	var out []agent.Event
	for _, ev := range r.all() {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// checkNoGoroutineLeak fails the test when goroutines started during it are still running
// shortly after it ends. Tests using it must not run in parallel.
func checkNoGoroutineLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("goroutine leak: %d running, %d before the test\n%s", runtime.NumGoroutine(), before, buf[:n])
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// agentEnv is the allow-listed environment a session gets from Symphony's, plus extra.
func agentEnv(extra ...string) []string {
	env, err := sandbox.AgentEnv(sandbox.AgentEnvSpec{Environ: os.Environ()})
	if err != nil {
		panic(err)
	}
	return append(env, extra...)
}

// testDirs makes a workspace root with one issue workspace and a separate state dir.
func testDirs(t *testing.T) (root, ws, state string) {
	t.Helper()
	root = t.TempDir()
	ws = filepath.Join(root, "ISSUE-1")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, ws, t.TempDir()
}

// fakeOptions runs this test binary as the fake app-server with the given scenario.
func fakeOptions(t *testing.T, scenario string, rec *recorder) Options {
	t.Helper()
	root, ws, state := testDirs(t)
	return Options{
		Command:       shellQuote(os.Args[0]),
		WorkspaceRoot: root,
		Workspace:     ws,
		StateDir:      state,
		AuthFile:      filepath.Join(state, "no-auth.json"),
		// A race-enabled fake would otherwise sleep a second at exit.
		Env:             agentEnv(codexfake.EnvScenario+"="+scenario, "GORACE=atexit_sleep_ms=0"),
		IssueIdentifier: "SYM-1",
		IssueTitle:      "Fake issue",
		ApprovalPolicy:  "never",
		// bash -lc runs the login profile first, which on a busy machine can take seconds.
		ReadTimeout: 30 * time.Second,
		TurnTimeout: 60 * time.Second,
		Events:      rec.sink,
	}
}

// teeWrapper records everything written to and read from the agent, for contract checks.
func teeWrapper(inLog, outLog string) func(string) ([]string, error) {
	return func(shell string) ([]string, error) {
		script := "tee -a " + shellQuote(inLog) + " | bash -lc " + shellQuote(shell) + " | tee -a " + shellQuote(outLog)
		return []string{"bash", "-c", script}, nil
	}
}

// runFlood runs one turn of the fake's flood scenario, of floodBytes, with o's event sink; the
// session is stopped when the test ends.
func runFlood(t *testing.T, o Options, floodBytes int) {
	t.Helper()
	o.Env = append(o.Env, codexfake.EnvFloodBytes+"="+strconv.Itoa(floodBytes))
	s := New(o)
	ctx := context.Background()
	t.Cleanup(func() { s.Stop(ctx) })
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunTurn(ctx, "flood"); err != nil {
		t.Fatal(err)
	}
}

// setProcessGroup puts the child in its own process group so it can be killed as a group.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroupOnCancel makes a context-bound command kill its whole group when cancelled.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
}
