package codex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
)

func TestFakeTwoTurnsShareThreadAndCountTokens(t *testing.T) {
	checkNoGoroutineLeak(t)
	rec := &recorder{}
	s := New(fakeOptions(t, codexfake.FakeComplete, rec))
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Stop(ctx)
	first, err := s.RunTurn(ctx, "first")
	if err != nil {
		t.Fatalf("first turn: %v", err)
	}
	second, err := s.RunTurn(ctx, "second")
	if err != nil {
		t.Fatalf("second turn: %v", err)
	}
	if first.ThreadID != "thr_fake" || second.ThreadID != first.ThreadID {
		t.Fatalf("threads = %q, %q; want both thr_fake", first.ThreadID, second.ThreadID)
	}
	if first.SessionID != "thr_fake-turn_1" || second.SessionID != "thr_fake-turn_2" {
		t.Fatalf("session ids = %q, %q", first.SessionID, second.SessionID)
	}
	if second.LastMessage != "fake turn turn_2 done" {
		t.Fatalf("last message = %q", second.LastMessage)
	}
	// The fake reports cumulative totals 120 then 240: the account must hold 240, not 360.
	if got := s.Usage(); got.Total != 240 || got.Output != 40 || got.CachedInput != 20 || got.UncachedInput != 180 {
		t.Fatalf("usage = %+v, want total 240 (uncached 180, cached 20, output 40)", got)
	}
	started := rec.ofKind(agent.EventSessionStarted)
	if len(started) != 2 || started[1].SessionID != "thr_fake-turn_2" || started[0].PID != s.PID() || started[0].Time.IsZero() {
		t.Fatalf("session_started events = %+v", started)
	}
	if rl := rec.ofKind(agent.EventRateLimits); len(rl) != 2 || !strings.Contains(string(s.RateLimits()), `"usedPercent":20`) {
		t.Fatalf("rate limits: %d events, latest %s; want the second turn's payload kept", len(rl), s.RateLimits())
	}
	usage := rec.ofKind(agent.EventTokenUsage)
	if len(usage) != 2 || usage[1].UsageDelta.Total != 120 || usage[1].Model != codexfake.FakeModel {
		t.Fatalf("token_usage events = %+v", usage)
	}
}

func TestFakeFailureCodes(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		tweak    func(*Options)
		atStart  bool
		cancel   time.Duration
		want     agent.Code
		check    func(t *testing.T, err error, rec *recorder, o Options)
	}{
		{
			name: "no answer to initialize", scenario: codexfake.FakeHangInitialize, atStart: true,
			tweak: func(o *Options) { o.ReadTimeout = 300 * time.Millisecond },
			want:  agent.CodeResponseTimeout,
		},
		{name: "thread/start refused", scenario: codexfake.FakeThreadStartError, atStart: true, want: agent.CodeResponseError,
			check: func(t *testing.T, err error, _ *recorder, _ Options) {
				if !strings.Contains(err.Error(), "fake thread/start refused") {
					t.Errorf("error %q does not carry the server's message", err)
				}
			}},
		{name: "agent command missing", scenario: codexfake.FakeComplete, atStart: true,
			tweak: func(o *Options) { o.Command = "symphony-no-such-codex app-server" },
			want:  agent.CodeCodexNotFound},
		{name: "crash mid turn", scenario: codexfake.FakeCrashMidTurn, want: agent.CodePortExit,
			check: func(t *testing.T, err error, _ *recorder, _ Options) {
				var e *agent.Error
				if !errors.As(err, &e) || !strings.Contains(e.StderrTail, "simulated crash") {
					t.Errorf("port_exit error lacks the stderr tail: %v", err)
				}
			}},
		{name: "turn never ends", scenario: codexfake.FakeHangTurn, want: agent.CodeTurnTimeout,
			tweak: func(o *Options) { o.TurnTimeout = 400 * time.Millisecond },
			check: func(t *testing.T, _ error, _ *recorder, o Options) {
				assertLogged(t, o, `"method":"turn/interrupt"`)
			}},
		{name: "caller cancels", scenario: codexfake.FakeHangTurn, cancel: 300 * time.Millisecond, want: agent.CodeTurnCancelled,
			check: func(t *testing.T, _ error, _ *recorder, o Options) {
				assertLogged(t, o, `"method":"turn/interrupt"`)
			}},
		{name: "turn failed", scenario: codexfake.FakeTurnFailed, want: agent.CodeTurnFailed,
			check: func(t *testing.T, err error, rec *recorder, _ Options) {
				if !strings.Contains(err.Error(), "model unavailable") || len(rec.ofKind(agent.EventTurnFailed)) != 1 {
					t.Errorf("err = %v, turn_failed events = %d", err, len(rec.ofKind(agent.EventTurnFailed)))
				}
			}},
		{name: "user input requested", scenario: codexfake.FakeInputRequired, want: agent.CodeTurnInputRequired,
			check: func(t *testing.T, err error, rec *recorder, o Options) {
				// The orchestrator posts what follows the code as the question on the issue.
				question := codexfake.InputHeader + "\n" + codexfake.InputQuestion +
					"\n- " + codexfake.InputOptions[0] + ": the default\n- " + codexfake.InputOptions[1]
				if want := "turn_input_required: " + question; err.Error() != want {
					t.Errorf("err = %q, want %q", err.Error(), want)
				}
				if evs := rec.ofKind(agent.EventTurnInputRequired); len(evs) != 1 || evs[0].Message != question {
					t.Errorf("turn_input_required events = %+v, want one with the question", evs)
				}
				assertLogged(t, o, `"error":{"code":-32601`)
			}},
		{name: "usage limit reached", scenario: codexfake.FakeUsageLimit, want: agent.CodeRateLimited,
			check: func(t *testing.T, err error, rec *recorder, _ Options) {
				// The fake's clock is read after the test's, within the test's time.
				lo, hi := time.Now().Add(codexfake.UsageLimitResetIn-time.Minute), time.Now().Add(codexfake.UsageLimitResetIn+time.Second)
				if at := agent.ResetAtOf(err); at.Before(lo) || at.After(hi) {
					t.Errorf("ResetAt = %v, want within [%v, %v]", at, lo, hi)
				}
				if !strings.Contains(err.Error(), "hit your usage limit") {
					t.Errorf("err = %v, want Codex's message", err)
				}
				if evs := rec.ofKind(agent.EventTurnFailed); len(evs) != 1 || evs[0].Code != agent.CodeRateLimited {
					t.Errorf("turn_failed events = %+v, want one coded rate_limited", evs)
				}
				if evs := rec.ofKind(agent.EventTurnEndedWithError); len(evs) != 0 {
					t.Errorf("turn_ended_with_error events = %+v, want none: turn_failed already reported it", evs)
				}
			}},
		{name: "identical tool failures", scenario: codexfake.FakeToolFailureLoop, want: agent.CodeToolFailureLoop,
			tweak: func(o *Options) { o.MaxIdenticalToolFailures = 3 },
			check: func(t *testing.T, err error, _ *recorder, o Options) {
				if !agent.NeedsHumanAttention(err) || !strings.Contains(err.Error(), `"make test" failed 3 times`) {
					t.Errorf("err = %v, want a human-attention block naming the command", err)
				}
				assertLogged(t, o, `"method":"turn/interrupt"`)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			rec := &recorder{}
			o := fakeOptions(t, c.scenario, rec)
			o.Env = append(o.Env, codexfake.EnvLog+"="+filepath.Join(o.StateDir, "fake.log"))
			if c.tweak != nil {
				c.tweak(&o)
			}
			s := New(o)
			ctx := context.Background()
			defer s.Stop(ctx)
			err := s.Start(ctx)
			if !c.atStart {
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				turnCtx := ctx
				if c.cancel > 0 {
					var cancel context.CancelFunc
					turnCtx, cancel = context.WithTimeout(ctx, c.cancel)
					defer cancel()
				}
				_, err = s.RunTurn(turnCtx, "go")
			}
			if got := agent.CodeOf(err); got != c.want {
				t.Fatalf("code = %q (%v), want %q", got, err, c.want)
			}
			if c.check != nil {
				c.check(t, err, rec, o)
			}
			if c.atStart && len(rec.ofKind(agent.EventStartupFailed)) != 1 {
				t.Error("no startup_failed event")
			}
		})
	}
}

func assertLogged(t *testing.T, o Options, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(o.StateDir, "fake.log"))
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fake app-server never received %s; it got:\n%s", want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestInvalidWorkspaceIsRejectedBeforeLaunch(t *testing.T) {
	cases := []struct {
		name string
		ws   func(root, ws string) string
	}{
		{"outside the root", func(_, _ string) string { return t.TempDir() }},
		{"the root itself", func(root, _ string) string { return root }},
		{"missing", func(root, _ string) string { return filepath.Join(root, "nope") }},
		{"relative", func(_, _ string) string { return "ISSUE-1" }},
		{"escaping with ..", func(root, _ string) string { return root + "/ISSUE-1/../../" + filepath.Base(t.TempDir()) }},
		{"a file", func(_, ws string) string {
			p := filepath.Join(ws, "f")
			_ = os.WriteFile(p, nil, 0o600)
			return p
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			o := fakeOptions(t, codexfake.FakeComplete, rec)
			o.Workspace = c.ws(o.WorkspaceRoot, o.Workspace)
			s := New(o)
			err := s.Start(context.Background())
			if agent.CodeOf(err) != agent.CodeInvalidWorkspaceCwd {
				t.Fatalf("Start = %v, want invalid_workspace_cwd", err)
			}
			if s.PID() != 0 {
				t.Fatal("a process was started for an invalid workspace")
			}
		})
	}
}

func TestInvalidOptionsAreAllReported(t *testing.T) {
	s := New(Options{ThreadSandbox: "sometimes", TurnSandboxPolicy: map[string]any{"type": "wide-open"}, ConfigOverrides: []string{"novalue"}, Kind: 7})
	err := s.Start(context.Background())
	if agent.CodeOf(err) != agent.CodeInvalidOptions {
		t.Fatalf("Start = %v, want invalid_agent_options", err)
	}
	for _, want := range []string{"WorkspaceRoot", "Workspace is required", "StateDir", "ApprovalPolicy", `"sometimes"`, "wide-open", `ConfigOverrides[0] "novalue"`, "Kind 7"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestMalformedAndOversizeFramesAreReportedAndSkipped(t *testing.T) {
	cases := []struct {
		scenario  string
		malformed int
		mention   string
	}{
		{codexfake.FakeMalformed, 5, "not a JSON object"},
		{codexfake.FakeHugeLine, 1, "longer than the 10485760-byte limit"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			rec := &recorder{}
			s := New(fakeOptions(t, c.scenario, rec))
			ctx := context.Background()
			defer s.Stop(ctx)
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := s.RunTurn(ctx, "go")
			if err != nil {
				t.Fatalf("the turn after bad frames failed: %v", err)
			}
			if res.LastMessage != "fake turn turn_1 done" {
				t.Fatalf("frames after the bad ones were lost: last message %q", res.LastMessage)
			}
			bad := rec.ofKind(agent.EventMalformed)
			if len(bad) != c.malformed {
				t.Fatalf("malformed events = %d, want %d: %+v", len(bad), c.malformed, bad)
			}
			found := false
			for _, ev := range bad {
				found = found || strings.Contains(ev.Message, c.mention)
				if len(ev.Raw) > eventRawBytes {
					t.Errorf("malformed event carries %d raw bytes", len(ev.Raw))
				}
			}
			if !found {
				t.Errorf("no malformed event mentions %q: %+v", c.mention, bad)
			}
		})
	}
}

type echoTools struct{ calls []string }

func (e *echoTools) Specs() []agent.ToolSpec {
	return []agent.ToolSpec{{Name: "echo", Description: "Echo the text argument back.", InputSchema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)}}
}

func (e *echoTools) Call(_ context.Context, name string, args json.RawMessage) agent.ToolResult {
	e.calls = append(e.calls, name+string(args))
	var in struct{ Text string }
	if err := json.Unmarshal(args, &in); err != nil {
		return agent.ToolResult{Text: err.Error()}
	}
	return agent.ToolResult{Success: true, Text: "echo: " + in.Text}
}

func TestEveryServerRequestIsAnswered(t *testing.T) {
	cases := []struct {
		name        string
		autoApprove bool
		want        map[string]string
	}{
		{"policy declines", false, map[string]string{
			"0:item/commandExecution/requestApproval": `"decision":"decline"`,
			"1:item/fileChange/requestApproval":       `"decision":"decline"`,
			"2:execCommandApproval":                   `"decision":{"denied":{"rejection":"declined by Symphony`,
			"3:item/permissions/requestApproval":      `"permissions":{}`,
		}},
		{"auto approve all", true, map[string]string{
			"0:item/commandExecution/requestApproval": `"decision":"acceptForSession"`,
			"1:item/fileChange/requestApproval":       `"decision":"acceptForSession"`,
			"2:execCommandApproval":                   `"decision":"approved_for_session"`,
			"3:item/permissions/requestApproval":      `"permissions":{"network":{"enabled":true}},"scope":"session"`,
		}},
	}
	common := map[string]string{
		"4:mcpServer/elicitation/request": `"action":"decline"`,
		"5:item/tool/call":                `"success":false,"contentItems":[{"type":"inputText","text":"unsupported tool: no_such_tool"}]`,
		"6:item/tool/call":                `"success":true,"contentItems":[{"type":"inputText","text":"echo: hi"}]`,
		"7:currentTime/read":              `"error":{"code":-32601`,
		"8:some/futureRequest":            `"error":{"code":-32601`,
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			rec := &recorder{}
			tools := &echoTools{}
			o := fakeOptions(t, codexfake.FakeServerRequests, rec)
			o.AutoApproveAll, o.Tools = c.autoApprove, tools
			s := New(o)
			ctx := context.Background()
			defer s.Stop(ctx)
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := s.RunTurn(ctx, "go")
			if err != nil {
				t.Fatalf("turn: %v", err)
			}
			var answers map[string]json.RawMessage
			if err := json.Unmarshal([]byte(res.LastMessage), &answers); err != nil {
				t.Fatalf("fake reported %q: %v", res.LastMessage, err)
			}
			for key, want := range merge(c.want, common) {
				if !strings.Contains(string(answers[key]), want) {
					t.Errorf("%s answered %s, want it to contain %s", key, answers[key], want)
				}
			}
			if len(tools.calls) != 1 || tools.calls[0] != `echo{"text":"hi"}` {
				t.Errorf("registry calls = %q", tools.calls)
			}
			if len(rec.ofKind(agent.EventUnsupportedToolCall)) != 1 {
				t.Error("no unsupported_tool_call event for the unknown tool")
			}
			approvalKind := agent.EventApprovalDeclined
			if c.autoApprove {
				approvalKind = agent.EventApprovalAutoApproved
			}
			if n := len(rec.ofKind(approvalKind)); n < 4 {
				t.Errorf("%s events = %d, want at least 4", approvalKind, n)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestStopIsIdempotentAndRemovesPrivateHome(t *testing.T) {
	checkNoGoroutineLeak(t)
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeComplete, rec)
	s := New(o)
	ctx := context.Background()
	// With the collector off, a pipe counts as closed only when the adapter closed it, not
	// when a finalizer happened to.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	pipesBefore := openPipes(t)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	home := s.dirs.home
	if info, err := os.Stat(s.dirs.root); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("session dir: %v, mode %v; want 0700", err, info.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(home, "config.toml")); err != nil {
		t.Fatalf("config.toml: %v", err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Fatalf("private CODEX_HOME still exists after Stop: %v", err)
	}
	if _, err := s.RunTurn(ctx, "late"); agent.CodeOf(err) == "" {
		t.Fatalf("RunTurn after Stop = %v, want a coded error", err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left := slices.DeleteFunc(openPipes(t), func(p string) bool { return slices.Contains(pipesBefore, p) })
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pipes to codex still open after Stop: %v", left)
		}
	}
}

// openPipes lists this process's open pipe file descriptors as "fd -> pipe:[inode]".
func openPipes(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	var out []string
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "pipe:") {
			out = append(out, e.Name()+" -> "+target)
		}
	}
	return out
}

// TestNotificationFloodIsDeliveredInOrderWithoutLoss pushes a burst several times larger than
// the read queue's budget through the adapter: every line must become exactly one event, in
// order, and the turn must still complete.
func TestNotificationFloodIsDeliveredInOrderWithoutLoss(t *testing.T) {
	checkNoGoroutineLeak(t)
	const floodBytes = 3 * queueBudgetBytes
	var want bytes.Buffer
	if err := codexfake.WriteFlood(&want, floodBytes, "thr_fake", "turn_1"); err != nil {
		t.Fatal(err)
	}
	wantLines := bytes.Count(want.Bytes(), []byte{'\n'})
	rec := &recorder{}
	runFlood(t, fakeOptions(t, codexfake.FakeFlood, rec), floodBytes)
	// Frames in order: turn/started, the flood, then the message, token usage, rate limits
	// and turn/completed that end the turn.
	var got [][]byte
	for _, ev := range rec.all() {
		if ev.Raw != nil {
			got = append(got, ev.Raw)
		}
	}
	if len(got) != wantLines+5 {
		t.Fatalf("%d frame events, want %d flood lines plus 5", len(got), wantLines)
	}
	got = got[1 : 1+wantLines]
	for i, line := range bytes.Split(want.Bytes(), []byte{'\n'})[:wantLines] {
		n := min(len(line), eventRawBytes)
		if !bytes.Equal(got[i], line[:n]) {
			t.Fatalf("event %d carries %.80q, want %.80q", i, got[i], line)
		}
	}
}

func TestHandshakeDependsOnSessionKind(t *testing.T) {
	cases := []struct {
		name       string
		kind       Kind
		wantDeltas bool
	}{{"executor", Executor, false}, {"reviewer", Reviewer, true}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			o := fakeOptions(t, codexfake.FakeComplete, rec)
			o.Kind = c.kind
			o.Env = append(o.Env, codexfake.EnvLog+"="+filepath.Join(o.StateDir, "fake.log"))
			s := New(o)
			ctx := context.Background()
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			_ = s.Stop(ctx)
			var initialize, setName struct {
				Params struct {
					Capabilities struct {
						ExperimentalAPI bool     `json:"experimentalApi"`
						OptOut          []string `json:"optOutNotificationMethods"`
					} `json:"capabilities"`
					Name string `json:"name"`
				} `json:"params"`
			}
			for _, line := range readLogLines(t, filepath.Join(o.StateDir, "fake.log")) {
				switch {
				case bytes.Contains(line, []byte(`"method":"initialize"`)):
					_ = json.Unmarshal(line, &initialize)
				case bytes.Contains(line, []byte(`"method":"thread/name/set"`)):
					_ = json.Unmarshal(line, &setName)
				}
			}
			caps := initialize.Params.Capabilities
			for _, m := range []string{"turn/diff/updated", "item/commandExecution/outputDelta", "item/fileChange/outputDelta"} {
				if !slices.Contains(caps.OptOut, m) {
					t.Errorf("initialize does not opt out of %s: %v", m, caps.OptOut)
				}
			}
			if got := !slices.Contains(caps.OptOut, "item/agentMessage/delta"); got != c.wantDeltas || !caps.ExperimentalAPI {
				t.Errorf("keeps agent message deltas = %v, want %v (experimentalApi %v)", got, c.wantDeltas, caps.ExperimentalAPI)
			}
			if setName.Params.Name != "SYM-1: Fake issue" {
				t.Errorf("thread name = %q, want %q", setName.Params.Name, "SYM-1: Fake issue")
			}
		})
	}
}
