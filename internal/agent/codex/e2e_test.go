package codex

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/testenv"
)

// realSession runs the real codex binary against a mock Responses API in a real git
// workspace. Every message the client sends is recorded and checked against the schema the
// binary generates when the test ends.
type realSession struct {
	*Session
	opts Options
	mock *codextest.Responses
	rec  *recorder
}

func newRealSession(t *testing.T, tweak func(*Options), steps ...codextest.Step) *realSession {
	t.Helper()
	bin := testenv.Codex(t)
	c := newContract(t)
	checkNoGoroutineLeak(t)
	mock := codextest.NewResponses(t, steps...)
	rec := &recorder{}
	root, ws, state := testDirs(t)
	testenv.Git(t, ws, "init", "-q")
	inLog, outLog := filepath.Join(state, "in.jsonl"), filepath.Join(state, "out.jsonl")
	o := Options{
		Command:           shellQuote(bin) + " app-server",
		WorkspaceRoot:     root,
		Workspace:         ws,
		StateDir:          state,
		AuthFile:          filepath.Join(state, "no-auth.json"),
		ConfigTOML:        mock.ConfigTOML(),
		Env:               agentEnv(mock.Env()...),
		IssueIdentifier:   "SYM-6",
		IssueTitle:        "Codex adapter",
		ApprovalPolicy:    "never",
		ThreadSandbox:     "workspace-write",
		TurnSandboxPolicy: map[string]any{"type": "workspaceWrite", "networkAccess": false},
		LaunchWrapper:     teeWrapper(inLog, outLog),
		ReadTimeout:       30 * time.Second,
		TurnTimeout:       90 * time.Second,
		Events:            rec.sink,
	}
	if tweak != nil {
		tweak(&o)
	}
	s := New(o)
	t.Cleanup(func() {
		_ = s.Stop(context.Background())
		if counts := c.checkTranscript(t, inLog, outLog); counts["request"] < 3 {
			t.Errorf("contract check saw only %v", counts)
		}
	})
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return &realSession{Session: s, opts: o, mock: mock, rec: rec}
}

func TestRealCodexRunsShellCommandInWorkspace(t *testing.T) {
	rs := newRealSession(t, nil,
		codextest.Step{Shell: "echo hello > out.txt"},
		codextest.Step{Text: "created out.txt"})
	res, err := rs.RunTurn(context.Background(), "Create out.txt containing hello")
	if err != nil {
		t.Fatalf("turn: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(rs.opts.Workspace, "out.txt"))
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("out.txt = %q, %v; want the command to have run in the workspace", got, err)
	}
	if res.LastMessage != "created out.txt" {
		t.Errorf("last message = %q", res.LastMessage)
	}
	if res.SessionID != res.ThreadID+"-"+res.TurnID || res.ThreadID == "" || res.TurnID == "" {
		t.Errorf("session id %q is not <thread>-<turn>", res.SessionID)
	}
	m := rs.mock.ReportedUsage()
	want := agent.TokenUsage{UncachedInput: m.Input - m.Cached, CachedInput: m.Cached, Output: m.Output, Total: m.Input + m.Output}
	if m.Input != 200 || rs.Usage() != want || res.Usage != want {
		t.Fatalf("usage = %+v (turn %+v), want the mock's totals %+v", rs.Usage(), res.Usage, want)
	}
	if len(rs.rec.ofKind(agent.EventTokenUsage)) == 0 {
		t.Error("no token_usage events")
	}
	if !strings.Contains(string(rs.RateLimits()), `"limitId"`) {
		t.Errorf("latest rate limits = %s, want Codex's payload", rs.RateLimits())
	}
}

func TestRealCodexDynamicToolRoundTrip(t *testing.T) {
	tools := &echoTools{}
	rs := newRealSession(t, func(o *Options) { o.Tools = tools },
		codextest.Step{Tool: "echo", ToolArgs: map[string]any{"text": "ping"}},
		codextest.Step{Text: "the tool said echo: ping"})
	if _, err := rs.RunTurn(context.Background(), "Call the echo tool"); err != nil {
		t.Fatalf("turn: %v", err)
	}
	if !slices.Equal(tools.calls, []string{`echo{"text":"ping"}`}) {
		t.Fatalf("registry calls = %q", tools.calls)
	}
	reqs := rs.mock.Requests()
	if len(reqs) != 2 || !slices.Contains(reqs[0].Tools, "echo") {
		t.Fatalf("the model was not offered the echo tool: %+v", reqs)
	}
	if len(reqs[1].ToolOutputs) != 1 || !strings.Contains(reqs[1].ToolOutputs[0], "echo: ping") {
		t.Fatalf("the tool result did not reach the model: %q", reqs[1].ToolOutputs)
	}
}

func TestRealCodexApprovalFollowsPolicy(t *testing.T) {
	cases := []struct {
		name      string
		auto      bool
		wantFile  bool
		wantEvent agent.EventKind
	}{
		{"declined by default policy", false, false, agent.EventApprovalDeclined},
		{"accepted with auto_approve_all", true, true, agent.EventApprovalAutoApproved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := newRealSession(t, func(o *Options) {
				o.ApprovalPolicy = "untrusted"
				o.AutoApproveAll = c.auto
			},
				codextest.Step{Shell: "echo approved > approved.txt"},
				codextest.Step{Text: "finished"})
			if _, err := rs.RunTurn(context.Background(), "Write approved.txt"); err != nil {
				t.Fatalf("turn: %v", err)
			}
			_, statErr := os.Stat(filepath.Join(rs.opts.Workspace, "approved.txt"))
			if (statErr == nil) != c.wantFile {
				t.Fatalf("approved.txt exists = %v, want %v", statErr == nil, c.wantFile)
			}
			evs := rs.rec.ofKind(c.wantEvent)
			if len(evs) != 1 || !strings.Contains(evs[0].Message, "echo approved") || evs[0].Method != "item/commandExecution/requestApproval" {
				t.Fatalf("%s events = %+v", c.wantEvent, evs)
			}
		})
	}
}

func TestRealCodexModelHTTP500FailsTurn(t *testing.T) {
	rs := newRealSession(t, nil, codextest.Step{HTTPStatus: 500})
	_, err := rs.RunTurn(context.Background(), "anything")
	if agent.CodeOf(err) != agent.CodeTurnFailed {
		t.Fatalf("RunTurn = %v, want turn_failed", err)
	}
	if len(rs.rec.ofKind(agent.EventTurnFailed)) != 1 {
		t.Error("no turn_failed event")
	}
}

func TestRealCodexContinuesThreadAcrossTurns(t *testing.T) {
	// The model override also shows that --config overrides reach the binary intact.
	rs := newRealSession(t, func(o *Options) { o.ConfigOverrides = []string{`model="gpt-override-check"`} },
		codextest.Step{Text: "one"}, codextest.Step{Text: "two"})
	ctx := context.Background()
	first, err := rs.RunTurn(ctx, "first prompt")
	if err != nil {
		t.Fatal(err)
	}
	second, err := rs.RunTurn(ctx, "second prompt")
	if err != nil {
		t.Fatal(err)
	}
	if first.ThreadID != second.ThreadID || first.TurnID == second.TurnID {
		t.Fatalf("turns %+v and %+v should share a thread and differ in turn id", first, second)
	}
	if first.LastMessage != "one" || second.LastMessage != "two" {
		t.Fatalf("messages = %q, %q", first.LastMessage, second.LastMessage)
	}
	reqs := rs.mock.Requests()
	if len(reqs) != 2 || reqs[0].Model != "gpt-override-check" {
		t.Fatalf("model requests = %+v, want 2 for the overridden model", reqs)
	}
	history := bytes.Join(toBytes(reqs[1].Input), nil)
	if !bytes.Contains(history, []byte("first prompt")) || !bytes.Contains(history, []byte("second prompt")) {
		t.Fatalf("the second turn did not carry the thread's history: %s", history)
	}
}

func toBytes[T ~[]byte](in []T) [][]byte {
	out := make([][]byte, len(in))
	for i, b := range in {
		out[i] = b
	}
	return out
}

func TestRealCodexStopMidTurnKillsProcessTree(t *testing.T) {
	const marker = "987.654"
	rs := newRealSession(t, nil, codextest.Step{Shell: "sleep " + marker})
	turnErr := make(chan error, 1)
	go func() {
		_, err := rs.RunTurn(context.Background(), "sleep")
		turnErr <- err
	}()
	var sleepers []int
	deadline := time.Now().Add(30 * time.Second)
	for len(sleepers) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the sleep command never started")
		}
		time.Sleep(50 * time.Millisecond)
		sleepers = processesWithArgs("sleep", marker)
	}
	tree := reaper.Tree(rs.PID())
	if err := rs.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTurnCancelled(t, turnErr)
	for _, pid := range append(tree, sleepers...) {
		waitGone(t, pid)
	}
	if left := processesWithArgs("sleep", marker); len(left) > 0 {
		t.Fatalf("sleep still running after Stop: %v", left)
	}
}

// processesWithArgs finds live processes whose argv is exactly args.
func processesWithArgs(args ...string) []int {
	want := []byte(strings.Join(args, "\x00") + "\x00")
	var pids []int
	for _, pid := range reaper.Tree(1) {
		if b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "cmdline")); err == nil && bytes.Equal(b, want) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestRealCodexSlowStreamHitsTurnTimeout(t *testing.T) {
	// The slow step streams five events 4 s apart, far past the timeout; the timeout itself
	// leaves the next, prompt turn room on a loaded two-core machine, where a real codex turn
	// has been seen to take more than 2.5 s.
	rs := newRealSession(t, func(o *Options) { o.TurnTimeout = 6 * time.Second },
		codextest.Step{Text: "too slow", Delay: 4 * time.Second},
		codextest.Step{Text: "on time"})
	ctx := context.Background()
	start := time.Now()
	_, err := rs.RunTurn(ctx, "be slow")
	if agent.CodeOf(err) != agent.CodeTurnTimeout {
		t.Fatalf("RunTurn = %v, want turn_timeout", err)
	}
	if waited := time.Since(start); waited > 20*time.Second {
		t.Fatalf("turn timeout took %s", waited)
	}
	if evs := rs.rec.ofKind(agent.EventTurnEndedWithError); len(evs) != 1 || evs[0].Code != agent.CodeTurnTimeout {
		t.Fatalf("turn_ended_with_error events = %+v", evs)
	}
	// The timed-out turn was interrupted, so the thread is free for the next one.
	res, err := rs.RunTurn(ctx, "again")
	if err != nil || res.LastMessage != "on time" {
		t.Fatalf("turn after the timeout = %+v, %v", res, err)
	}
}
