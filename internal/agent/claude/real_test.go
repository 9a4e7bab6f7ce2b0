package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// Two turns on the real binary: the model commits through Bash in the sandbox, the prompt
// reaches the model through stdin, and the session's usage is the mock's usage summed over
// both turns' results.
func TestRealTwoTurnsCommitAndCountResultUsage(t *testing.T) {
	t.Parallel()
	script := bash("echo turn >> out.txt && git add out.txt && git commit -qm 'agent commit' && echo committed",
		func(r claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "done", OutputTokens: 33} })
	h := realSession(t, script, nil)
	res1, err := h.turn(t, "first turn: PROMPT-SENTINEL-1")
	if err != nil {
		t.Fatalf("turn 1: %v", err)
	}
	afterFirst := h.mock.Usage()
	if _, err := h.turn(t, "second turn: PROMPT-SENTINEL-2"); err != nil {
		t.Fatalf("turn 2: %v", err)
	}
	if res1.LastMessage != "done" || res1.ThreadID == "" || !strings.HasPrefix(res1.SessionID, res1.ThreadID+"-") {
		t.Errorf("turn 1 result %+v", res1)
	}
	var sentinels []string
	for _, r := range h.mock.Requests() {
		for _, s := range []string{"PROMPT-SENTINEL-1", "PROMPT-SENTINEL-2"} {
			if strings.Contains(r.Text, s) && !slices.Contains(sentinels, s) {
				sentinels = append(sentinels, s)
			}
		}
	}
	if len(sentinels) != 2 {
		t.Errorf("the model saw prompts %v, want both", sentinels)
	}
	t.Cleanup(func() {
		if t.Failed() {
			h.dump(t)
		}
	})
	if log := testenv.GitOutput(t, h.workspace, "log", "--oneline"); strings.Count(log, "agent commit") != 2 {
		t.Errorf("git log after two turns:\n%s", log)
	}
	mock := h.mock.Usage()
	got := h.session.Usage()
	if got.UncachedInput != int64(mock.Input) || got.Output != int64(mock.Output) || got.Total != int64(mock.Input+mock.Output) {
		t.Errorf("session usage %+v, mock reported input %d output %d", got, mock.Input, mock.Output)
	}
	if afterFirst.Input == 0 || mock.Input <= afterFirst.Input {
		t.Errorf("mock usage did not grow over the second turn: %+v then %+v", afterFirst, mock)
	}
	deltas := h.eventsOf(agent.EventTokenUsage)
	if len(deltas) != 2 || deltas[0].UsageDelta.Output != int64(afterFirst.Output) || *deltas[1].Usage != got {
		t.Errorf("token_usage events %+v", deltas)
	}
	if n := len(h.eventsOf(agent.EventSessionStarted)); n != 2 {
		t.Errorf("%d session_started events, want one per turn", n)
	}
	var commands []string
	for _, ev := range h.eventsOf(agent.EventNotification) {
		if ev.Activity != nil {
			d := ev.Activity.Describe()
			commands = append(commands, d.Status+": "+d.Command+" -> "+d.Output)
		}
	}
	if len(commands) != 2 || !strings.Contains(commands[0], "completed: echo turn") || !strings.Contains(commands[0], "committed") {
		t.Errorf("command activities %q", commands)
	}
	if calls := h.eventsOf(agent.EventToolCall); len(calls) != 2 || calls[0].Message != "Bash" {
		t.Errorf("tool_call events %+v", calls)
	}
	entries, _ := os.ReadDir(h.session.dir.path)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "prompt-") {
			t.Errorf("prompt directory %s left after the turn", e.Name())
		}
	}
	dir := h.session.dir.path
	if err := h.session.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("private directory %s remains after Stop: %v", dir, err)
	}
}

// Each failure of a turn on the real binary ends it with its own code, kills the process
// group and leaves no claude behind.
func TestRealTurnFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		script    claudetest.Script
		configure func(*Options, *harness)
		code      agent.Code
		message   string
	}{
		{
			name:   "model HTTP 500",
			script: func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Status: 500} },
			code:   agent.CodeResponseError, message: "HTTP 500",
		},
		{
			name: "rate limit event with reset",
			script: func(claudetest.Request) claudetest.Reply {
				return claudetest.Reply{Status: 429, ErrorType: "rate_limit_error", ErrorMessage: "slow down",
					Headers: map[string]string{"anthropic-ratelimit-unified-status": "rejected", "anthropic-ratelimit-unified-reset": "1893456000"}}
			},
			// Claude reports rate_limit_event lines only to subscription (OAuth) logins.
			configure: func(o *Options, _ *harness) {
				o.Env = slices.DeleteFunc(o.Env, func(kv string) bool { return strings.HasPrefix(kv, "ANTHROPIC_API_KEY=") })
				o.Env = append(o.Env, "CLAUDE_CODE_OAUTH_TOKEN=test-oauth")
			},
			code: agent.CodeRateLimited, message: "resets at 2030-01-01T00:00:00Z",
		},
		{
			name:      "result is_error after max turns",
			script:    bash("true", func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "unreached"} }),
			configure: func(o *Options, _ *harness) { o.Command = "claude --max-turns 1" },
			code:      agent.CodeTurnFailed, message: "error_max_turns",
		},
		{
			name:      "turn over turn_ms",
			script:    func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Delay: time.Minute} },
			configure: func(o *Options, _ *harness) { o.TurnTimeout = 8 * time.Second },
			code:      agent.CodeTurnTimeout, message: "turn_ms",
		},
		{
			name:      "command over command_ms",
			script:    bash("sleep 300", func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "unreached"} }),
			configure: func(o *Options, _ *harness) { o.CommandTimeout = 2 * time.Second },
			code:      agent.CodeCommandTimeout, message: `Bash "sleep 300"`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := realSession(t, c.script, c.configure)
			start := time.Now()
			_, err := h.turn(t, "do the work")
			if agent.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.message) {
				h.dump(t)
				t.Fatalf("turn error %v, want code %s mentioning %q", err, c.code, c.message)
			}
			failed := h.eventsOf(agent.EventTurnFailed)
			if len(failed) != 1 || failed[0].Code != c.code {
				t.Errorf("turn_failed events %+v", failed)
			}
			t.Logf("%s after %s", c.code, time.Since(start).Round(time.Millisecond))
		})
	}
}

// A claude missing from the agent's PATH is reported by Start, before any turn.
func TestMissingClaudeFailsStart(t *testing.T) {
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, command := range []string{"claude", "./bin/claude"} {
		s := New(Options{Command: command, Env: []string{"PATH=" + t.TempDir()}, WorkspaceRoot: root, Workspace: ws, TempRoot: t.TempDir()})
		err := s.Start(t.Context())
		if agent.CodeOf(err) != agent.CodeClaudeNotFound || !strings.Contains(err.Error(), "claude") {
			t.Errorf("%s: Start = %v, want %s", command, err, agent.CodeClaudeNotFound)
		}
		if _, err := s.RunTurn(t.Context(), "x"); agent.CodeOf(err) != agent.CodeSessionClosed {
			t.Errorf("%s: a turn after a failed start: %v", command, err)
		}
	}
}

// With Resume the second turn continues the first turn's conversation on the real binary: the
// model sees the first prompt again; without it each turn starts afresh.
func TestRealResume(t *testing.T) {
	t.Parallel()
	for _, resume := range []bool{false, true} {
		t.Run(fmt.Sprintf("resume=%v", resume), func(t *testing.T) {
			t.Parallel()
			h := realSession(t, func(r claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "noted"} },
				func(o *Options, _ *harness) { o.Resume = resume })
			if _, err := h.turn(t, "FIRST-PROMPT"); err != nil {
				t.Fatal(err)
			}
			if _, err := h.turn(t, "SECOND-PROMPT"); err != nil {
				t.Fatal(err)
			}
			reqs := h.mock.Requests()
			last := reqs[len(reqs)-1]
			if !strings.Contains(last.Text, "SECOND-PROMPT") {
				t.Fatalf("last request is not the second turn's: %q", last.Text)
			}
			sawFirst := false
			for _, r := range reqs {
				if strings.Contains(r.Text, "SECOND-PROMPT") && strings.Contains(r.Conversation, "FIRST-PROMPT") {
					sawFirst = true
				}
			}
			if sawFirst != resume {
				t.Errorf("resume=%v: the second turn's request carried the first prompt = %v", resume, sawFirst)
			}
		})
	}
}
