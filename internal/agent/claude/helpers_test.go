package claude

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

func TestMain(m *testing.M) {
	reaper.Init()
	os.Exit(m.Run())
}

// harness is a session on the real claude binary against a mock model API, in a git
// workspace under a fresh root, with a fake HOME.
type harness struct {
	mock      *claudetest.Server
	session   *Session
	workspace string
	home      string
	tempRoot  string

	mu     sync.Mutex
	events []agent.Event
}

// realSession builds a harness; configure may change the options before the session starts.
func realSession(t *testing.T, script claudetest.Script, configure func(*Options, *harness)) *harness {
	t.Helper()
	bin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	h := &harness{mock: claudetest.New(t, script)}
	root := t.TempDir()
	h.workspace = filepath.Join(root, "ws")
	h.home = t.TempDir()
	h.tempRoot = t.TempDir()
	if err := os.Mkdir(h.workspace, 0o755); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, h.workspace, "init", "-q")
	testenv.Git(t, h.workspace, "config", "user.email", "agent@example.invalid")
	testenv.Git(t, h.workspace, "config", "user.name", "agent")
	pol, err := sandbox.Resolve(sandbox.Input{Runtime: sandbox.RuntimeClaude, Workspace: h.workspace, Home: h.home})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + h.home, "LANG=C.UTF-8",
		"ANTHROPIC_BASE_URL=" + h.mock.URL, "ANTHROPIC_API_KEY=test-key",
		"CLAUDE_CONFIG_DIR=" + filepath.Join(h.home, ".claude"), "CLAUDE_CODE_MAX_RETRIES=0",
	}
	opts := Options{
		Command: "claude", Env: env, WorkspaceRoot: root, Workspace: h.workspace, TempRoot: h.tempRoot,
		Settings: pol.ClaudeSettings(nil), TurnTimeout: 2 * time.Minute,
		Events: func(ev agent.Event) {
			// Raw is only valid during the callback.
			ev.Raw = bytes.Clone(ev.Raw)
			h.mu.Lock()
			h.events = append(h.events, ev)
			h.mu.Unlock()
		},
	}
	if configure != nil {
		configure(&opts, h)
	}
	h.session = New(opts)
	if err := h.session.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.session.Stop(context.Background()) })
	return h
}

func (h *harness) eventsOf(kind agent.EventKind) []agent.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []agent.Event
	for _, ev := range h.events {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// turn runs one turn and checks that it left no process of its group behind.
func (h *harness) turn(t *testing.T, prompt string) (agent.TurnResult, error) {
	t.Helper()
	var pid int
	h.mu.Lock()
	before := len(h.events)
	h.mu.Unlock()
	res, err := h.session.RunTurn(context.Background(), prompt)
	h.mu.Lock()
	for _, ev := range h.events[before:] {
		if ev.PID != 0 {
			pid = ev.PID
		}
	}
	h.mu.Unlock()
	if pid == 0 {
		t.Fatalf("the turn reported no event with a pid (err %v)", err)
	}
	assertGroupGone(t, pid)
	assertNoProcessIn(t, h.workspace, h.session.dir.path)
	if h.session.PID() != 0 {
		t.Errorf("PID() = %d between turns", h.session.PID())
	}
	return res, err
}

// assertGroupGone fails when any process of the group pgid is still alive a moment after the
// turn: killed members of the group may need that long to be reaped by their parents.
func assertGroupGone(t *testing.T, pgid int) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = syscall.Kill(-pgid, 0); err == syscall.ESRCH {
			return
		}
	}
	t.Errorf("process group %d is still alive after the turn (kill 0: %v)", pgid, err)
}

// dump logs every event so far, for a failing test.
func (h *harness) dump(t *testing.T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.events {
		t.Logf("%s %s %s %.300s", ev.Time.Format("15:04:05.000"), ev.Kind, ev.Message, ev.Raw)
	}
}

// assertNoProcessIn fails when a process still runs in dir or names marker in its argv: a
// sandboxed command that left the agent's process group would show up here.
func assertNoProcessIn(t *testing.T, dir, marker string) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' {
			continue
		}
		cwd, _ := os.Readlink(filepath.Join("/proc", pid, "cwd"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if cwd == dir || (marker != "" && strings.Contains(string(cmdline), marker)) {
			t.Errorf("process %s remains after the turn: cwd %s, argv %q", pid, cwd, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
}

// bash answers a first request offering tools with a Bash call running command, and the
// request carrying its result with text.
func bash(command string, done func(claudetest.Request) claudetest.Reply) claudetest.Script {
	return func(r claudetest.Request) claudetest.Reply {
		switch {
		case len(r.ToolResults) > 0:
			return done(r)
		case len(r.Tools) > 0:
			return claudetest.Reply{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"command": command, "description": "run"}}}
		}
		return claudetest.Reply{Text: "side request"}
	}
}
