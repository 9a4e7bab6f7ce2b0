package jsonl

import (
	"context"
	"encoding/json"
	"errors"
	"os"
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
