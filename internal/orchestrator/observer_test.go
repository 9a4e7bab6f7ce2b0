package orchestrator

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/store"
)

// recordingObserver keeps what the loop reported, one string per call.
type recordingObserver struct {
	mu       sync.Mutex
	dispatch []string
	turns    []string
	tokens   map[string]int64
	costs    map[string]float64
	exits    []string
	polls    int
	failed   int
}

func (r *recordingObserver) OnDispatch(repoKey string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dispatch = append(r.dispatch, repoKey)
}

func (r *recordingObserver) OnTurn(repoKey string, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.turns = append(r.turns, repoKey+" "+took.String())
}

func (r *recordingObserver) OnTokens(repoKey string, delta agent.TokenUsage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens[repoKey] += delta.Total
}

func (r *recordingObserver) OnCost(repoKey string, usd float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.costs == nil {
		r.costs = map[string]float64{}
	}
	r.costs[repoKey] += usd
}

func (r *recordingObserver) OnExit(repoKey string, status store.Status, reason StopReason, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exits = append(r.exits, repoKey+" "+string(status)+" "+string(reason)+" "+took.String())
}

func (r *recordingObserver) OnPoll(_ time.Duration, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polls++
	if failed {
		r.failed++
	}
}

func (r *recordingObserver) exitCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.exits)
}

func TestObserverSeesDispatchesTurnsTokensExitsAndPolls(t *testing.T) {
	obs := &recordingObserver{tokens: map[string]int64{}}
	h := newHarness(t, func(c *harnessConfig) { c.observer = obs })
	gate := make(chan struct{})
	h.put(newIssue(1, "In Progress"))
	h.put(newIssue(2, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 40, Wait: gate}, {Tokens: 2}}})
	h.agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 5, Err: agent.Errorf(agent.CodeTurnFailed, "scripted failure")}}})
	h.start()
	h.waitFor("ENG-2's retry", retrying("id-2", 1))
	// The prompt reaches the agent after the worker has noted when the turn began.
	h.eventually("ENG-1's first turn", func() bool {
		sessions := h.agents.SessionsFor("ENG-1")
		return len(sessions) == 1 && len(sessions[0].Prompts()) == 1
	})
	h.advance(7 * time.Second)
	close(gate)
	h.eventually("both exits", func() bool { return obs.exitCount() == 2 })

	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []string{"app", "app"}; !slices.Equal(obs.dispatch, want) {
		t.Errorf("dispatches %v, want %v", obs.dispatch, want)
	}
	// Only completed turns count: ENG-1's first turn spans the 7 s the clock moved, its
	// second is instant, and ENG-2's failed turn is not a completed turn.
	if want := []string{"app 7s", "app 0s"}; !slices.Equal(obs.turns, want) {
		t.Errorf("turns %v, want %v", obs.turns, want)
	}
	if got := obs.tokens["app"]; got != 47 {
		t.Errorf("tokens for app %d, want 47", got)
	}
	if want := []string{"app failure  0s", "app success  7s"}; !slices.Equal(obs.exits, want) {
		t.Errorf("exits %v, want %v", obs.exits, want)
	}
	if obs.polls != 1 || obs.failed != 0 {
		t.Errorf("%d polls with %d failed, want the first poll, not failed", obs.polls, obs.failed)
	}
}

func TestObserverSeesAFailedPollAndAStopReason(t *testing.T) {
	obs := &recordingObserver{tokens: map[string]int64{}}
	fail := errors.New("config is broken")
	var broken sync.Mutex
	var preflight error
	h := newHarness(t, func(c *harnessConfig) {
		c.observer = obs
		c.preflight = func() error { broken.Lock(); defer broken.Unlock(); return preflight }
	})
	h.startWaiting(newIssue(1, "In Progress"))
	if err := h.o.StopIssue("ENG-1"); err != nil {
		t.Fatal(err)
	}
	h.eventually("the stop's exit", func() bool { return obs.exitCount() == 1 })
	broken.Lock()
	preflight = fail
	broken.Unlock()
	h.poll()

	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []string{"app stopped operator_stop 0s"}; !slices.Equal(obs.exits, want) {
		t.Errorf("exits %v, want %v", obs.exits, want)
	}
	if obs.failed != 1 {
		t.Errorf("%d failed polls, want 1", obs.failed)
	}
}

// blockingAudit holds every append until release is closed.
type blockingAudit struct{ release chan struct{} }

func (b blockingAudit) Append(ctx context.Context, _ audit.Event) (audit.Record, error) {
	select {
	case <-b.release:
		return audit.Record{}, nil
	case <-ctx.Done():
		return audit.Record{}, ctx.Err()
	}
}

func (b blockingAudit) AppendPrompt(ctx context.Context, ev audit.Event, _ string) (audit.Record, error) {
	return b.Append(ctx, ev)
}

func (b blockingAudit) AppendBatch(ctx context.Context, evs []audit.Event) (int, error) {
	for i, ev := range evs {
		if _, err := b.Append(ctx, ev); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

func (blockingAudit) Sync(context.Context) error { return nil }

// unbatchedStore runs a batch's writes one by one; its other methods are never called.
type unbatchedStore struct{ Store }

func (unbatchedStore) Batch(ctx context.Context, writes func(context.Context)) error {
	writes(ctx)
	return nil
}

func TestRecorderCountsPendingAuditAndStoreWritesUntilWritten(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(slog.New(slog.DiscardHandler), blockingAudit{release: release}, unbatchedStore{})
	rec.appendAudit(audit.Event{Type: "one"})
	rec.appendPrompt(audit.Event{Type: "two"}, "prompt")
	stored := 0
	for range 3 {
		rec.post("store write", func(context.Context) error { stored++; return nil })
	}
	if a, s := rec.pendingAudit.Load(), rec.pendingStore.Load(); a != 2 || s != 3 {
		t.Fatalf("pending audit %d store %d before the drain, want 2 and 3", a, s)
	}
	drained := make(chan struct{})
	go func() { rec.drain(); close(drained) }()
	close(release)
	select {
	case <-drained:
	case <-time.After(waitLimit):
		t.Fatal("drain did not finish")
	}
	if a, s := rec.pendingAudit.Load(), rec.pendingStore.Load(); a != 0 || s != 0 || stored != 3 {
		t.Fatalf("after the drain pending audit %d store %d, %d store writes done; want 0, 0, 3", a, s, stored)
	}
}
