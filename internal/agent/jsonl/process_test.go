package jsonl

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func raw(line []byte) ([]byte, error) { return line, nil }

func waitExit(t *testing.T, p *Process) {
	t.Helper()
	select {
	case <-p.Exited():
	case <-time.After(10 * time.Second):
		t.Fatalf("child %d did not exit", p.PID())
	}
}

func TestExitStatusIsNeverNilUnlessZero(t *testing.T) {
	cases := []struct {
		scenario string
		kill     bool
		want     *ExitError
	}{
		{scenario: "exit-0"},
		{scenario: "stderr-exit-3", want: &ExitError{Kind: ExitCode, Code: 3}},
		{scenario: "sleep-with-grandchild", kill: true, want: &ExitError{Kind: ExitSignal, Signal: syscall.SIGKILL}},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			p, s := child(t, c.scenario, raw)
			if c.kill {
				if _, ok := s.Next(); !ok {
					t.Fatal("no output before the kill")
				}
				p.Signal(syscall.SIGKILL)
			}
			waitExit(t, p)
			err := p.ExitErr()
			if c.want == nil {
				if err != nil {
					t.Fatalf("exit 0 reported as %v", err)
				}
				return
			}
			var ee *ExitError
			if !errors.As(err, &ee) || *ee != *c.want {
				t.Fatalf("ExitErr = %#v, want %#v", err, c.want)
			}
		})
	}
}

func TestExitErrBeforeExitIsUnknown(t *testing.T) {
	p, _ := child(t, "sleep-with-grandchild", raw)
	var ee *ExitError
	if err := p.ExitErr(); !errors.As(err, &ee) || ee.Kind != ExitUnknown {
		t.Fatalf("ExitErr while running = %v, want an unknown exit", err)
	}
}

func TestStderrTailKeepsTheLastWords(t *testing.T) {
	p, _ := child(t, "stderr-exit-3", raw)
	waitExit(t, p)
	tail := p.StderrTail()
	if !strings.HasSuffix(tail, "last words\n") || len(tail) > DefaultStderrTailBytes || strings.Contains(tail, "line 0\n") {
		t.Fatalf("stderr tail (%d bytes) ends %q", len(tail), tail[max(0, len(tail)-40):])
	}
}

// Signal reaches the child's whole group: a grandchild it started dies with it.
func TestSignalKillsTheProcessGroup(t *testing.T) {
	p, s := child(t, "sleep-with-grandchild", func(line []byte) (map[string]int, error) {
		var m map[string]int
		return m, json.Unmarshal(line, &m)
	})
	it, ok := s.Next()
	if !ok || it.Err != nil {
		t.Fatalf("first line: %+v", it)
	}
	grandchild := it.Value["grandchild"]
	if grandchild == 0 || !alive(grandchild) {
		t.Fatalf("grandchild %d not running", grandchild)
	}
	p.Signal(syscall.SIGKILL)
	waitExit(t, p)
	deadline := time.Now().Add(5 * time.Second)
	for alive(grandchild) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(grandchild) {
		t.Fatalf("grandchild %d survived the group kill", grandchild)
	}
}

// A command given its own stdin (a prompt file) reads it, and WriteLine refuses to write.
func TestCallerStdinIsTheChildsInput(t *testing.T) {
	prompt := filepath.Join(t.TempDir(), "prompt")
	if err := os.WriteFile(prompt, []byte("{\"prompt\":\"hi\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(prompt)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := testCommand("echo-stdin")
	cmd.Stdin = f
	p, s, err := Start(cmd, ProcessOptions{}, raw)
	if err != nil {
		t.Fatal(err)
	}
	it, ok := s.Next()
	if !ok || string(it.Line) != `{"prompt":"hi"}` {
		t.Fatalf("first line = %q, %v", it.Line, ok)
	}
	if err := p.WriteLine([]byte("{}"), time.Second); !errors.Is(err, ErrStdinClosed) {
		t.Fatalf("WriteLine with the caller's stdin = %v", err)
	}
	waitExit(t, p)
	if err := p.ExitErr(); err != nil {
		t.Fatalf("exit = %v", err)
	}
}

func TestStartRefusesCallerStdio(t *testing.T) {
	cmd := testCommand("exit-0")
	cmd.Stdout = os.Stdout
	if _, _, err := Start(cmd, ProcessOptions{}, raw); err == nil {
		t.Fatal("Start accepted a command with its own stdout")
	}
}

func TestClientCorrelatesResponsesAndTimesOut(t *testing.T) {
	p, s := child(t, "rpc-echo", DecodeMessage)
	c := NewClient(p, 5*time.Second)
	notes := make(chan string, 4)
	go func() {
		for it, ok := s.Next(); ok; it, ok = s.Next() {
			switch {
			case it.Err != nil:
				notes <- "malformed: " + it.Err.Error()
			case it.Value.IsResponse():
				if !c.Deliver(&it.Value) {
					notes <- "unmatched response " + string(it.Value.ID)
				}
			case it.Value.IsNotification():
				notes <- it.Value.Method
			}
		}
		c.Close(errors.New("stream ended"))
	}()
	ctx := context.Background()
	first, err := c.Send("echo", map[string]int{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Send("echo", map[string]int{"b": 2})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := second.Wait(ctx, 5*time.Second); err != nil || string(r) != `{"b":2}` {
		t.Fatalf("second = %s, %v", r, err)
	}
	if r, err := first.Wait(ctx, 5*time.Second); err != nil || string(r) != `{"a":1}` {
		t.Fatalf("first = %s, %v", r, err)
	}
	var rpcErr *RPCError
	if _, err := c.Call(ctx, "fail", nil, 5*time.Second); !errors.As(err, &rpcErr) || rpcErr.Code != -32000 {
		t.Fatalf("fail = %v, want an RPC error", err)
	}
	var timeout *CallTimeoutError
	if _, err := c.Call(ctx, "ignore", nil, 50*time.Millisecond); !errors.As(err, &timeout) || timeout.Method != "ignore" {
		t.Fatalf("ignore = %v, want a timeout", err)
	}
	if got := <-notes; got != "hello" {
		t.Fatalf("notification = %q", got)
	}
	p.CloseStdin()
	waitExit(t, p)
	if err := p.WriteLine([]byte(`{}`), time.Second); !errors.Is(err, ErrStdinClosed) {
		t.Fatalf("write after CloseStdin = %v", err)
	}
	deadline := time.After(5 * time.Second)
	for {
		if _, err := c.Send("late", nil); err != nil && err.Error() == "stream ended" {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Send did not fail with the close error after the stream ended")
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case n := <-notes:
		t.Fatalf("unexpected %q", n)
	default:
	}
}

// A grandchild holding stderr open must not hold StderrTail back for long.
func TestStderrTailDoesNotWaitForeverOnAHeldPipe(t *testing.T) {
	p, _ := child(t, "stderr-held-open", raw)
	waitExit(t, p)
	start := time.Now()
	tail := p.StderrTail()
	if waited := time.Since(start); waited > stderrSettle+time.Second {
		t.Fatalf("StderrTail waited %s with stderr held open", waited)
	}
	if !strings.Contains(tail, "leaving") {
		t.Fatalf("tail %q lacks what the child wrote", tail)
	}
}

func TestTailBufferKeepsTheLastBytes(t *testing.T) {
	tail := tailBuffer{limit: 8}
	_, _ = tail.Write([]byte("abcdef"))
	_, _ = tail.Write([]byte("ghij"))
	if got := tail.String(); got != "cdefghij" {
		t.Fatalf("tail = %q, want cdefghij", got)
	}
	_, _ = tail.Write([]byte("0123456789"))
	if got := tail.String(); got != "23456789" {
		t.Fatalf("tail = %q, want 23456789", got)
	}
}

// An observed call sees its result before Wait returns, and only a successful one.
func TestSendObservedSeesTheResultFirst(t *testing.T) {
	p, s := child(t, "rpc-echo", DecodeMessage)
	c := NewClient(p, 5*time.Second)
	go func() {
		for it, ok := s.Next(); ok; it, ok = s.Next() {
			if it.Err == nil && it.Value.IsResponse() {
				c.Deliver(&it.Value)
			}
		}
	}()
	var seen []string
	observe := func(result json.RawMessage) { seen = append(seen, string(result)) }
	call, err := c.SendObserved("echo", []int{7}, observe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Wait(context.Background(), 5*time.Second); err != nil || len(seen) != 1 || seen[0] != "[7]" {
		t.Fatalf("Wait = %v, observed %q", err, seen)
	}
	failing, err := c.SendObserved("fail", nil, observe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := failing.Wait(context.Background(), 5*time.Second); err == nil || len(seen) != 1 {
		t.Fatalf("Wait = %v, observed %q; an error response must not be observed", err, seen)
	}
}
