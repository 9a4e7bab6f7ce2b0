package codex

import (
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// The exit status and the end of stdout can reach the session before the stderr drain has
// read the crash message; the exit error must still carry it.
func TestExitErrorWaitsForStderrDrain(t *testing.T) {
	s := New(Options{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = s.stderrTail.Write([]byte("panic: simulated crash\n"))
		close(s.stderrDone)
	}()
	e := s.exitError(&agent.Error{Code: agent.CodePortExit, Message: "codex exited"})
	if !strings.Contains(e.StderrTail, "simulated crash") {
		t.Fatalf("stderr tail = %q, want the crash message written before the drain ended", e.StderrTail)
	}
}

// A grandchild that keeps stderr open must not hold the exit error back for long.
func TestExitErrorDoesNotWaitForeverOnStderr(t *testing.T) {
	s := New(Options{})
	start := time.Now()
	s.exitError(&agent.Error{Code: agent.CodePortExit})
	if waited := time.Since(start); waited > stderrSettle+time.Second {
		t.Fatalf("exitError waited %s with stderr held open", waited)
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
