package codexfake

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Fake app-server scenarios, selected with the EnvScenario environment variable.
const (
	// FakeComplete runs an ordinary turn: a message, token usage, completion.
	FakeComplete = "complete"
	// FakeCrashMidTurn writes to stderr and exits with status 3 after the turn starts.
	FakeCrashMidTurn = "crash-mid-turn"
	// FakeHangInitialize never answers initialize.
	FakeHangInitialize = "hang-initialize"
	// FakeHangTurn starts the turn and then goes silent until interrupted.
	FakeHangTurn = "hang-turn"
	// FakeThreadStartError answers thread/start with a JSON-RPC error.
	FakeThreadStartError = "thread-start-error"
	// FakeTurnFailed reports an error notification and a failed turn.
	FakeTurnFailed = "turn-failed"
	// FakeMalformed interleaves broken frames with a normal turn.
	FakeMalformed = "malformed"
	// FakeHugeLine sends a 20 MB notification line, then a normal turn.
	FakeHugeLine = "huge-line"
	// FakeFlood writes EnvFloodBytes of realistic notifications as fast as it can, then
	// completes the turn.
	FakeFlood = "flood"
	// FakeFloodRaw writes the same flood with no protocol at all and exits; it is the
	// baseline piped into cat.
	FakeFloodRaw = "flood-raw"
	// FakeServerRequests sends every kind of server request, then completes the turn with a
	// message holding the client's answers as JSON (method -> response frame).
	FakeServerRequests = "server-requests"
	// FakeToolFailureLoop reports the same failing command six times, then waits to be
	// interrupted; a client without a breaker would see the turn complete.
	FakeToolFailureLoop = "tool-failure-loop"
	// FakeInputRequired asks for user input (InputQuestion, with InputHeader and the
	// InputOptions) and then waits to be interrupted.
	FakeInputRequired = "input-required"
	// FakeUsageLimit replays what codex 0.169 sends when the model API refuses a turn with
	// usage_limit_reached: an exhausted primary window resetting UsageLimitResetIn from
	// now, the error notification, and the failed turn with codexErrorInfo
	// usageLimitExceeded.
	FakeUsageLimit = "usage-limit"
	// FakePaced streams EnvFloodBytes of realistic notifications spread evenly over EnvPaceMs
	// in its first turn, as a model writing at a steady rate would, and completes it; later
	// turns wait to be interrupted, so a benchmark sees one measured turn per session.
	FakePaced = "paced"
)

// Environment variables the fake reads.
const (
	EnvScenario   = "CODEXTEST_FAKE_SCENARIO"
	EnvFloodBytes = "CODEXTEST_FLOOD_BYTES"
	// EnvLog names a file the fake appends every received line to.
	EnvLog = "CODEXTEST_FAKE_LOG"
	// EnvPaceMs is how long FakePaced takes to stream its bytes.
	EnvPaceMs = "CODEXTEST_PACE_MS"
	// EnvMilestones names a file the fake appends "start <unix-nanos>" to when it starts and
	// "done <unix-nanos>" to when the client starts a second turn, one line each: the client
	// has then read the whole first turn, which a large pipe buffer could otherwise still hold.
	EnvMilestones = "CODEXTEST_MILESTONES"
)

// HugeLineBytes is the size of the FakeHugeLine frame.
const HugeLineBytes = 20 << 20

// MaybeRunFake turns the current process into the fake app-server when EnvScenario is set.
// Call it first thing in TestMain so a test binary can re-execute itself as the fake.
func MaybeRunFake() {
	scenario := os.Getenv(EnvScenario)
	if scenario == "" {
		return
	}
	os.Exit(RunFake(scenario, os.Stdin, os.Stdout, os.Stderr))
}

// RunFake serves one app-server connection on in/out and returns the exit status.
func RunFake(scenario string, in io.Reader, out, errOut io.Writer) int {
	f := &fake{scenario: scenario, out: bufio.NewWriterSize(out, 1<<20), errOut: errOut}
	if scenario == FakeFloodRaw {
		if err := WriteFlood(f.out, floodBytes(), "thr_fake", "turn_1"); err != nil {
			return 1
		}
		return exitCode(f.out.Flush())
	}
	if path := os.Getenv(EnvLog); path != "" {
		lf, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			fmt.Fprintln(errOut, "fake app-server:", err)
			return 1
		}
		defer lf.Close()
		f.log = lf
	}
	f.milestones = os.Getenv(EnvMilestones)
	f.milestone("start")
	f.in = bufio.NewScanner(in)
	f.in.Buffer(make([]byte, 1<<20), 64<<20)
	return f.serve()
}

// milestone appends one line to the milestones file, if any. An O_APPEND write of a short
// line lands whole, so many fakes can share the file.
func (f *fake) milestone(what string) {
	if f.milestones == "" {
		return
	}
	mf, err := os.OpenFile(f.milestones, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(f.errOut, "fake app-server:", err)
		return
	}
	defer mf.Close()
	fmt.Fprintf(mf, "%s %d\n", what, time.Now().UnixNano())
}

func exitCode(err error) int {
	if err != nil {
		return 1
	}
	return 0
}

func floodBytes() int64 {
	n, err := strconv.ParseInt(os.Getenv(EnvFloodBytes), 10, 64)
	if err != nil || n <= 0 {
		return 8 << 20
	}
	return n
}

func paceDuration() time.Duration {
	ms, err := strconv.Atoi(os.Getenv(EnvPaceMs))
	if err != nil || ms <= 0 {
		return 10 * time.Second
	}
	return time.Duration(ms) * time.Millisecond
}

type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

type fake struct {
	scenario   string
	milestones string
	in         *bufio.Scanner
	out        *bufio.Writer
	errOut     io.Writer
	log        io.Writer
	turns      int
	turn       string
	turnOpen   bool
	nextReq    int
	exit       int
	done       bool
}

const fakeThread = "thr_fake"

// FakeModel is the model the fake's thread/start answer says the thread runs on.
const FakeModel = "gpt-fake"

func (f *fake) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	f.out.Write(b)
	f.out.WriteByte('\n')
	f.out.Flush()
}

func (f *fake) notify(method string, params any) {
	f.write(map[string]any{"method": method, "params": params})
}

func (f *fake) read() (message, bool) {
	if !f.in.Scan() {
		return message{}, false
	}
	line := f.in.Bytes()
	if f.log != nil {
		f.log.Write(append(append([]byte(nil), line...), '\n'))
	}
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		fmt.Fprintf(f.errOut, "fake app-server: client sent invalid JSON: %v\n", err)
	}
	return m, true
}

func (f *fake) serve() int {
	for !f.done {
		m, ok := f.read()
		if !ok {
			return f.exit
		}
		f.handle(m)
	}
	return f.exit
}

func (f *fake) handle(m message) {
	switch m.Method {
	case "initialize":
		if f.scenario == FakeHangInitialize {
			return
		}
		f.write(map[string]any{"id": m.ID, "result": map[string]any{
			"userAgent": "codexfake/0.0.0", "codexHome": os.Getenv("CODEX_HOME"), "platformFamily": "unix", "platformOs": "linux",
		}})
	case "thread/start":
		if f.scenario == FakeThreadStartError {
			f.write(map[string]any{"id": m.ID, "error": map[string]any{"code": -32600, "message": "fake thread/start refused"}})
			return
		}
		f.write(map[string]any{"id": m.ID, "result": map[string]any{"thread": map[string]any{"id": fakeThread}, "model": FakeModel}})
	case "thread/name/set":
		f.write(map[string]any{"id": m.ID, "result": map[string]any{}})
	case "turn/start":
		f.turns++
		f.turn = fmt.Sprintf("turn_%d", f.turns)
		f.turnOpen = true
		f.write(map[string]any{"id": m.ID, "result": map[string]any{"turn": map[string]any{"id": f.turn, "status": "inProgress"}}})
		f.notify("turn/started", map[string]any{"threadId": fakeThread, "turn": map[string]any{"id": f.turn, "status": "inProgress"}})
		f.runTurn()
	case "turn/interrupt":
		f.write(map[string]any{"id": m.ID, "result": map[string]any{}})
		if f.turnOpen {
			f.completeTurn("interrupted", "")
		}
	case "":
	default:
		if m.ID != nil {
			f.write(map[string]any{"id": m.ID, "result": map[string]any{}})
		}
	}
}

// What FakeInputRequired asks.
const (
	InputHeader   = "Port"
	InputQuestion = "Which port should the server use?"
)

// InputOptions are the choices FakeInputRequired offers with its question.
var InputOptions = [2]string{"8080", "9090"}

// UsageLimitResetIn is how far ahead of the fake's clock FakeUsageLimit's window resets.
const UsageLimitResetIn = 30 * time.Minute

// usageLimitMessage is the message codex 0.169 printed for the refusal, reset time included.
const usageLimitMessage = "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 4:09 AM."

func (f *fake) refuseForUsageLimit() {
	resetsAt := time.Now().Add(UsageLimitResetIn).Unix()
	f.notify("account/rateLimits/updated", map[string]any{"rateLimits": map[string]any{
		"limitId": "codex", "limitName": nil, "normalModelSlug": nil,
		"primary":   map[string]any{"usedPercent": 100, "windowDurationMins": 300, "resetsAt": resetsAt},
		"secondary": nil, "credits": nil, "individualLimit": nil, "spendControlReached": nil, "planType": nil, "rateLimitReachedType": nil,
	}})
	turnErr := map[string]any{"message": usageLimitMessage, "codexErrorInfo": "usageLimitExceeded", "additionalDetails": nil, "misalignment": nil}
	f.notify("error", map[string]any{"error": turnErr, "willRetry": false, "threadId": fakeThread, "turnId": f.turn})
	f.turnOpen = false
	f.notify("turn/completed", map[string]any{"threadId": fakeThread, "turn": map[string]any{"id": f.turn, "status": "failed", "error": turnErr}})
}

func (f *fake) completeTurn(status, errMsg string) {
	var turnErr any
	if errMsg != "" {
		turnErr = map[string]any{"message": errMsg}
	}
	f.turnOpen = false
	f.notify("turn/completed", map[string]any{"threadId": fakeThread, "turn": map[string]any{"id": f.turn, "status": status, "error": turnErr}})
}

func (f *fake) agentMessage(text string) {
	f.notify("item/completed", map[string]any{"threadId": fakeThread, "turnId": f.turn, "item": map[string]any{"type": "agentMessage", "id": "msg_" + f.turn, "text": text}})
}

func (f *fake) tokenUsage(total int64) {
	f.notify("thread/tokenUsage/updated", map[string]any{"threadId": fakeThread, "turnId": f.turn, "tokenUsage": map[string]any{
		"total": map[string]any{"totalTokens": total, "inputTokens": total * 5 / 6, "cachedInputTokens": total / 12, "cacheWriteInputTokens": 0, "outputTokens": total / 6, "reasoningOutputTokens": 0},
		"last":  map[string]any{"totalTokens": 1, "inputTokens": 1, "cachedInputTokens": 0, "cacheWriteInputTokens": 0, "outputTokens": 0, "reasoningOutputTokens": 0},
	}})
}

func (f *fake) finishNormally() {
	f.agentMessage("fake turn " + f.turn + " done")
	f.tokenUsage(int64(120 * f.turns))
	f.notify("account/rateLimits/updated", map[string]any{"rateLimits": map[string]any{"limitId": "codex", "primary": map[string]any{"usedPercent": 10 * f.turns}}})
	f.completeTurn("completed", "")
}

func (f *fake) runTurn() {
	switch f.scenario {
	case FakeCrashMidTurn:
		fmt.Fprintln(f.errOut, "fake app-server: simulated crash in the middle of a turn")
		f.exit, f.done = 3, true
	case FakeHangTurn, FakeInputRequired, FakeToolFailureLoop:
		f.runWaitingTurn()
	case FakeUsageLimit:
		f.refuseForUsageLimit()
	case FakeTurnFailed:
		f.notify("error", map[string]any{"threadId": fakeThread, "turnId": f.turn, "willRetry": false, "error": map[string]any{"message": "model unavailable"}})
		f.completeTurn("failed", "model unavailable")
	case FakeMalformed:
		for _, line := range []string{"this is not json", `{"method":"item/started","params":{`, `[1,2,3]`, `{"method":5}`, `{"id":1} trailing`} {
			f.out.WriteString(line + "\n")
		}
		f.out.Flush()
		f.finishNormally()
	case FakeHugeLine:
		pad := strings.Repeat("x", HugeLineBytes)
		f.notify("item/completed", map[string]any{"threadId": fakeThread, "turnId": f.turn, "item": map[string]any{"type": "commandExecution", "aggregatedOutput": pad}})
		f.finishNormally()
	case FakeFlood:
		if err := WriteFlood(f.out, floodBytes(), fakeThread, f.turn); err != nil {
			f.exit, f.done = 1, true
			return
		}
		f.finishNormally()
	case FakeServerRequests:
		f.runServerRequests()
	case FakePaced:
		if f.turns > 1 {
			// The client asks for the next turn only once it has read the first to its
			// turn/completed, so its whole stream is ingested now, not just written to the pipe.
			if f.turns == 2 {
				f.milestone("done")
			}
			f.runWaitingTurn()
			return
		}
		if err := writePaced(f.out, floodBytes(), paceDuration(), fakeThread, f.turn); err != nil {
			f.exit, f.done = 1, true
			return
		}
		f.finishNormally()
		f.out.Flush()
	default:
		f.finishNormally()
	}
}

// runWaitingTurn provokes the client and then serves requests until the turn is interrupted.
func (f *fake) runWaitingTurn() {
	switch f.scenario {
	case FakeInputRequired:
		f.request("item/tool/requestUserInput", map[string]any{"threadId": fakeThread, "turnId": f.turn, "itemId": "ask_1", "isBlocking": true,
			"questions": []any{map[string]any{"id": "q1", "header": InputHeader, "question": InputQuestion, "isOther": true, "isSecret": false,
				"options": []any{map[string]any{"label": InputOptions[0], "description": "the default"}, map[string]any{"label": InputOptions[1], "description": ""}}}}})
	case FakeToolFailureLoop:
		for range 6 {
			f.notify("item/completed", map[string]any{"threadId": fakeThread, "turnId": f.turn, "item": map[string]any{
				"type": "commandExecution", "id": "cmd", "command": "make test", "cwd": "/ws", "status": "failed", "exitCode": 2,
			}})
		}
	}
	for f.turnOpen {
		m, ok := f.read()
		if !ok {
			f.done = true
			return
		}
		f.handle(m)
	}
}

// request sends a server request and waits for its answer, serving anything else meanwhile.
func (f *fake) request(method string, params any) message {
	f.nextReq++
	id := f.nextReq
	f.write(map[string]any{"id": id, "method": method, "params": params})
	for {
		m, ok := f.read()
		if !ok {
			f.done = true
			return message{}
		}
		if m.Method == "" && string(m.ID) == strconv.Itoa(id) {
			return m
		}
		f.handle(m)
	}
}

func (f *fake) runServerRequests() {
	reqs := []struct {
		method string
		params map[string]any
	}{
		{"item/commandExecution/requestApproval", map[string]any{"threadId": fakeThread, "turnId": f.turn, "itemId": "c1", "command": "rm -rf build"}},
		{"item/fileChange/requestApproval", map[string]any{"threadId": fakeThread, "turnId": f.turn, "itemId": "f1"}},
		{"execCommandApproval", map[string]any{"conversationId": fakeThread, "callId": "c2", "command": []string{"ls"}, "cwd": "/"}},
		{"item/permissions/requestApproval", map[string]any{"threadId": fakeThread, "turnId": f.turn, "itemId": "p1", "cwd": "/", "startedAtMs": 1, "permissions": map[string]any{"network": map[string]any{"enabled": true}}}},
		{"mcpServer/elicitation/request", map[string]any{"threadId": fakeThread, "turnId": f.turn, "serverName": "x"}},
		{"item/tool/call", map[string]any{"threadId": fakeThread, "turnId": f.turn, "callId": "t1", "tool": "no_such_tool", "arguments": map[string]any{}}},
		{"item/tool/call", map[string]any{"threadId": fakeThread, "turnId": f.turn, "callId": "t2", "tool": "echo", "arguments": map[string]any{"text": "hi"}}},
		{"currentTime/read", map[string]any{}},
		{"some/futureRequest", map[string]any{}},
	}
	answers := map[string]json.RawMessage{}
	for i, r := range reqs {
		resp := f.request(r.method, r.params)
		if f.done {
			return
		}
		b, _ := json.Marshal(resp)
		answers[fmt.Sprintf("%d:%s", i, r.method)] = b
	}
	text, _ := json.Marshal(answers)
	f.agentMessage(string(text))
	f.tokenUsage(int64(120 * f.turns))
	f.completeTurn("completed", "")
}
