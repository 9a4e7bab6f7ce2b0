package codex

import (
	"context"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
)

// within fails the test when f does not return in time: a request no owner serves would
// otherwise hang the test run.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: no goroutine answered it", what)
	}
}

// A session whose state has no owner yet, or no longer, still answers every call at once.
func TestSessionAnswersWithoutAnOwner(t *testing.T) {
	ctx := context.Background()
	t.Run("never started", func(t *testing.T) {
		s := New(Options{WorkspaceRoot: "/", Workspace: "/ws", StateDir: t.TempDir(), ApprovalPolicy: "never"})
		within(t, "Usage", func() {
			if u := s.Usage(); u != (agent.TokenUsage{}) {
				t.Errorf("Usage before Start = %+v", u)
			}
		})
		within(t, "RunTurn", func() {
			if _, err := s.RunTurn(ctx, "x"); agent.CodeOf(err) != agent.CodeSessionClosed {
				t.Errorf("RunTurn before Start = %v, want session_closed", err)
			}
		})
		within(t, "Stop", func() { _ = s.Stop(ctx) })
		within(t, "Start after Stop", func() {
			if err := s.Start(ctx); agent.CodeOf(err) != agent.CodeSessionClosed {
				t.Errorf("Start after Stop = %v, want session_closed", err)
			}
		})
	})
	t.Run("after a crash", func(t *testing.T) {
		checkNoGoroutineLeak(t)
		s := New(fakeOptions(t, codexfake.FakeCrashMidTurn, &recorder{}))
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer s.Stop(ctx)
		thread := s.ThreadID()
		if _, err := s.RunTurn(ctx, "crash"); agent.CodeOf(err) != agent.CodePortExit {
			t.Fatalf("crashing turn = %v, want port_exit", err)
		}
		<-s.exited
		within(t, "ThreadID", func() {
			if got := s.ThreadID(); got != thread || got == "" {
				t.Errorf("ThreadID after the crash = %q, want %q", got, thread)
			}
		})
		within(t, "RunTurn", func() {
			if _, err := s.RunTurn(ctx, "again"); agent.CodeOf(err) != agent.CodePortExit {
				t.Errorf("RunTurn after the crash = %v, want the crash's port_exit", err)
			}
		})
		within(t, "Stop", func() { _ = s.Stop(ctx) })
	})
}

// Every event of a turn carries the same session id, made once: agents stream thousands of
// events a second, and making "<thread>-<turn>" for each was an allocation an event.
func TestFrameEventsShareOneSessionID(t *testing.T) {
	var ids []string
	s := New(Options{WorkspaceRoot: "/", Workspace: "/ws", StateDir: t.TempDir(), ApprovalPolicy: "never",
		Events: func(ev agent.Event) { ids = append(ids, ev.SessionID) }})
	s.st.threadID, s.st.turnID = "thr_1", "turn_1"
	delta := `{"method":"item/agentMessage/delta","params":{"threadId":"thr_1","turnId":"turn_1","itemId":"msg_1","delta":"word "}}`
	for range 3 {
		s.handleLine(decodedLine(t, delta))
	}
	if len(ids) != 3 {
		t.Fatalf("%d events, want 3", len(ids))
	}
	for _, id := range ids {
		if id != "thr_1-turn_1" || unsafe.StringData(id) != unsafe.StringData(ids[0]) {
			t.Fatalf("session ids %q: want one string thr_1-turn_1 shared by all", ids)
		}
	}
	s.st.turnID = "turn_2"
	s.handleLine(decodedLine(t, strings.ReplaceAll(delta, "turn_1", "turn_2")))
	if got := ids[len(ids)-1]; got != "thr_1-turn_2" {
		t.Fatalf("next turn's session id = %q, want thr_1-turn_2", got)
	}
}
