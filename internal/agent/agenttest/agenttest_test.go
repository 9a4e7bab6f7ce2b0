package agenttest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

func TestScriptedTurnsReportEventsAndUsage(t *testing.T) {
	f := NewFactory()
	var mu sync.Mutex
	var kinds []agent.EventKind
	sink := func(ev agent.Event) { mu.Lock(); kinds = append(kinds, ev.Kind); mu.Unlock() }
	f.Script("E-1", Script{Turns: []Turn{{Tokens: 10}, {Err: agent.Errorf(agent.CodeTurnFailed, "nope")}}})
	s := f.New("E-1", "/ws/E-1", sink)
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := s.RunTurn(ctx, "first")
	if err != nil || res.SessionID != "thread-E-1-turn-1" || res.Usage.Total != 10 {
		t.Fatalf("turn 1 = %+v, %v", res, err)
	}
	if _, err := s.RunTurn(ctx, "second"); agent.CodeOf(err) != agent.CodeTurnFailed {
		t.Fatalf("turn 2 error %v, want turn_failed", err)
	}
	want := []agent.EventKind{agent.EventSessionStarted, agent.EventNotification, agent.EventTokenUsage, agent.EventTurnCompleted, agent.EventNotification}
	mu.Lock()
	defer mu.Unlock()
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
	if got := s.Prompts(); len(got) != 2 || got[1] != "second" || f.Starts() != 1 || s.PID() == 0 {
		t.Fatalf("prompts %v, starts %d, pid %d", got, f.Starts(), s.PID())
	}
}

func TestBlockedTurnEndsOnStopOrCancel(t *testing.T) {
	f := NewFactory()
	f.Script("E-1", Script{Turns: []Turn{{Block: true}}})
	s := f.New("E-1", "", nil)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(5 * time.Millisecond); cancel(errors.New("operator stop")) }()
	_, err := s.RunTurn(ctx, "p")
	if agent.CodeOf(err) != agent.CodeTurnCancelled || !errors.Is(err, context.Cause(ctx)) {
		t.Fatalf("cancelled turn error %v", err)
	}
	go func() { time.Sleep(5 * time.Millisecond); _ = s.Stop(context.Background()) }()
	if _, err := s.RunTurn(context.Background(), "p"); agent.CodeOf(err) != agent.CodeTurnCancelled && agent.CodeOf(err) != agent.CodeSessionClosed {
		t.Fatalf("turn on a stopped session: %v", err)
	}
	if !s.Stopped() || s.Stop(context.Background()) != nil {
		t.Fatal("Stop is not idempotent")
	}
}
