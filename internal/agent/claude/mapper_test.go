package claude

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/testenv"
)

// feed maps lines through a fresh turn state and returns the events' kinds and messages.
func feed(t *testing.T, lines ...string) (*turnState, []agent.Event) {
	t.Helper()
	st := newTurnState()
	var out []agent.Event
	for _, l := range lines {
		v, err := decodeLine([]byte(l))
		if err != nil {
			t.Fatalf("decode %s: %v", l, err)
		}
		out = append(out, st.observe(v, []byte(l))...)
	}
	return st, out
}

// The transcript recorded from claude 2.1.197: session, a Bash call and its result, text, and
// a result whose usage (input 200, output 40) is what counts, not the messages' start usage.
func TestRecordedTranscript(t *testing.T) {
	// Recorded offline against a mock API and kept beside the runtime notes in ../shared.
	path := testenv.File(t, "the recorded claude transcript",
		filepath.Join(testenv.ModuleRoot(t), "..", "shared", "notes", "agent-runtimes", "examples", "claude-stream-json.jsonl"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	st, events := feed(t, lines...)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, string(ev.Kind)+":"+ev.Message)
	}
	want := []string{"session_started:", "tool_call:Bash", "notification:command completed", "notification:Done: created out.txt."}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", kinds, want)
	}
	if d := events[2].Activity.Describe(); d.Command != "echo hi > out.txt" || d.Status != "completed" {
		t.Errorf("activity %+v", d)
	}
	if err, ok := st.outcome(); !ok || err != nil {
		t.Errorf("outcome %v %v", err, ok)
	}
	u := turnUsage(st.result.Usage)
	if u != (agent.TokenUsage{UncachedInput: 200, Output: 40, Total: 240}) {
		t.Errorf("usage %+v", u)
	}
	if st.sessionID != "cb0e973c-d4bd-4a27-824c-b499e61b208c" || events[1].SessionID != st.sessionID {
		t.Errorf("session id %q on events %q", st.sessionID, events[1].SessionID)
	}
}

func TestResultOutcomes(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		code    agent.Code
		message string
	}{
		{"success", []string{`{"type":"result","subtype":"success","is_error":false,"result":"ok"}`}, "", ""},
		{"is_error with an API status", []string{`{"type":"result","subtype":"success","is_error":true,"api_error_status":500,"result":"API Error: 500"}`}, agent.CodeResponseError, "HTTP 500"},
		{"is_error with 429", []string{`{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"result":"API Error"}`}, agent.CodeRateLimited, "rate limit"},
		{"rate limit text", []string{`{"type":"result","subtype":"error","is_error":true,"result":"Too Many Requests"}`}, agent.CodeRateLimited, "Too Many Requests"},
		{"max turns", []string{`{"type":"result","subtype":"error_max_turns","is_error":true}`}, agent.CodeTurnFailed, "error_max_turns"},
		{"during execution", []string{`{"type":"result","subtype":"error_during_execution","is_error":true,"errors":["boom"]}`}, agent.CodeTurnFailed, "error_during_execution: boom"},
		{"is_error alone", []string{`{"type":"result","subtype":"success","is_error":true,"result":"no"}`}, agent.CodeTurnFailed, "is_error: no"},
		{"rejected rate limit then result", []string{
			`{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1893456000,"rateLimitType":"five_hour"}}`,
			`{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"result":"limited"}`,
		}, agent.CodeRateLimited, "five_hour), resets at 2030-01-01T00:00:00Z: limited"},
		{"warning is not a failure", []string{
			`{"type":"rate_limit_event","rate_limit_info":{"status":"allowed_warning","resetsAt":1893456000,"utilization":0.9}}`,
			`{"type":"result","subtype":"success","is_error":false}`,
		}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, _ := feed(t, c.lines...)
			err, ok := st.outcome()
			if !ok {
				t.Fatal("no outcome")
			}
			if c.code == "" {
				if err != nil {
					t.Fatalf("outcome %v, want success", err)
				}
				return
			}
			if err == nil || err.Code != c.code || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("outcome %v, want %s with %q", err, c.code, c.message)
			}
			if want := strings.Contains(c.message, "resets at"); want != !err.ResetAt.IsZero() {
				t.Fatalf("reset time %v; the message %q says whether there is one", err.ResetAt, c.message)
			}
			if !err.ResetAt.IsZero() && !err.ResetAt.Equal(time.Unix(1893456000, 0)) {
				t.Fatalf("reset time %v, want the event's resetsAt", err.ResetAt)
			}
		})
	}
}

func TestLineMapping(t *testing.T) {
	cases := []struct {
		name  string
		line  string
		kinds []agent.EventKind
		check func(*testing.T, []agent.Event)
	}{
		{"other system subtype", `{"type":"system","subtype":"compact_boundary"}`, []agent.EventKind{agent.EventNotification}, func(t *testing.T, evs []agent.Event) {
			if evs[0].Message != "system compact_boundary" {
				t.Errorf("message %q", evs[0].Message)
			}
		}},
		{"multi-block assistant", `{"type":"assistant","message":{"id":"m","content":[{"type":"text","text":"a"},{"type":"tool_use","id":"t1","name":"Read","input":{}},{"type":"tool_use","id":"t2","name":"mcp__symphony__linear_get_current_issue","input":{}}]}}`,
			[]agent.EventKind{agent.EventNotification, agent.EventToolCall, agent.EventToolCall}, nil},
		{"rate limit warning", `{"type":"rate_limit_event","rate_limit_info":{"status":"allowed_warning","resetsAt":1893456000,"rateLimitType":"five_hour","utilization":0.95}}`,
			[]agent.EventKind{agent.EventRateLimits}, func(t *testing.T, evs []agent.Event) {
				var p map[string]any
				if err := json.Unmarshal(evs[0].RateLimits, &p); err != nil || p["resets_at"] != float64(1893456000) || p["status"] != "allowed_warning" {
					t.Errorf("rate limits payload %s (%v)", evs[0].RateLimits, err)
				}
			}},
		{"rate limit without info", `{"type":"rate_limit_event"}`, []agent.EventKind{agent.EventMalformed}, nil},
		{"unknown type", `{"type":"stream_event"}`, []agent.EventKind{agent.EventOtherMessage}, nil},
		{"result emits nothing by itself", `{"type":"result","subtype":"success"}`, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, evs := feed(t, c.line)
			if len(evs) != len(c.kinds) {
				t.Fatalf("events %+v, want kinds %v", evs, c.kinds)
			}
			for i, k := range c.kinds {
				if evs[i].Kind != k {
					t.Errorf("event %d is %s, want %s", i, evs[i].Kind, k)
				}
			}
			if c.check != nil {
				c.check(t, evs)
			}
		})
	}
}

// A tool_result whose content is a list of chunks is joined; a non-Bash result reports no
// command activity.
func TestToolResults(t *testing.T) {
	_, evs := feed(t,
		`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"b","name":"Bash","input":{"command":"ls"}},{"type":"tool_use","id":"r","name":"Read","input":{}}]}}`,
		`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"b","is_error":true,"content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},{"type":"tool_result","tool_use_id":"r","content":"file"}]}}`)
	var acts []agent.ActivityDetails
	for _, ev := range evs {
		if ev.Activity != nil {
			acts = append(acts, ev.Activity.Describe())
		}
	}
	if len(acts) != 1 || acts[0].Command != "ls" || acts[0].Status != "failed" || acts[0].Output != "one\ntwo" {
		t.Errorf("activities %+v", acts)
	}
}

func TestDecodeLineRejects(t *testing.T) {
	for _, l := range []string{`not json`, `{"subtype":"init"}`, `[1,2]`, `{"type":"assistant","message":"x"}`} {
		if _, err := decodeLine([]byte(l)); err == nil {
			t.Errorf("decodeLine(%s) accepted it", l)
		}
	}
}

// Any line decodes or fails without a panic, and whatever decodes maps without one.
func FuzzStreamLine(f *testing.F) {
	for _, s := range []string{`{"type":"result","subtype":"success","usage":{"input_tokens":1}}`, `{"type":"user","message":{"content":[{"type":"tool_result","content":[1]}]}}`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := decodeLine(raw)
		if json.Valid(raw) && err == nil && l.Type == "" {
			t.Fatal("decoded a line without a type")
		}
		if err != nil {
			return
		}
		st := newTurnState()
		st.observe(l, raw)
		st.outcome()
	})
}
