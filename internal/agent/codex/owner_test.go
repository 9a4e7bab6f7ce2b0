package codex

import (
	"context"
	"testing"
	"time"

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
