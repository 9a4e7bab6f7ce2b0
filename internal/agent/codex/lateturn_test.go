package codex

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
)

// A turn that timed out is interrupted, and Codex's turn/completed for it can still be on its
// way when the next turn starts. That late frame must end nothing but the old turn. The
// event sink holds the owner goroutine on the old turn's turn_cancelled event until the
// next RunTurn has begun, which is where a check-then-deliver race would hand the old
// outcome to the new turn.
func TestLateCompletionOfAnInterruptedTurnDoesNotEndTheNext(t *testing.T) {
	checkNoGoroutineLeak(t)
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeHangTurn, rec)
	o.TurnTimeout = 400 * time.Millisecond
	secondStarted, held := make(chan struct{}), make(chan struct{}, 1)
	o.Events = func(ev agent.Event) {
		rec.sink(ev)
		if ev.Kind == agent.EventTurnCancelled && ev.TurnID == "turn_1" {
			held <- struct{}{}
			select {
			case <-secondStarted:
				// Give RunTurn time to install its waiter while this frame is in flight.
				time.Sleep(200 * time.Millisecond)
			case <-time.After(10 * time.Second):
			}
		}
	}
	s := New(o)
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Stop(ctx)
	if _, err := s.RunTurn(ctx, "first"); agent.CodeOf(err) != agent.CodeTurnTimeout {
		t.Fatalf("first turn = %v, want turn_timeout", err)
	}
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the interrupted turn's turn/completed never arrived")
	}
	close(secondStarted)
	_, err := s.RunTurn(ctx, "second")
	if agent.CodeOf(err) != agent.CodeTurnTimeout || !strings.Contains(err.Error(), "turn_2") {
		t.Fatalf("second turn = %v, want its own turn_timeout, not the first turn's interruption", err)
	}
}
