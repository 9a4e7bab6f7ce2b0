package orchestrator

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/orchestrator/orchestratortest"
	"github.com/symphony-go/symphony/internal/store"
)

// countingStore counts the usage writes that reach the store.
type countingStore struct {
	*store.Store
	usageWrites atomic.Int64
}

func (c *countingStore) AddUsage(ctx context.Context, u store.Usage) error {
	c.usageWrites.Add(1)
	return c.Store.AddUsage(ctx, u)
}

// Token deltas reported while a usage write waits in the queue join it: the store gets one
// write per UTC day instead of one per delta, its totals and each day's usage still add up to
// every delta, and every delta keeps its own token_usage audit record. A delta a second after
// the last write posts a new one; deltas sooner than that are written when the attempt ends.
func TestTokenDeltasShareQueuedStoreWrites(t *testing.T) {
	st, log, root := durableLog(t)
	counted := &countingStore{Store: st}
	failures := &syncBuffer{}
	rec := newRecorder(slog.New(slog.NewTextHandler(failures, nil)), log, counted)
	w := &worker{d: Deps{Store: counted, Audit: log, Clock: SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, rec: rec}
	is := newIssue(1, "In Progress")
	is.RepoKey = "app"
	job := attemptJob{runID: "run-1", issue: is}
	sink := w.sink(func(error) {}, job, 0, 0, func(workerUpdate) {})
	ctx := context.Background()
	midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	clock := orchestratortest.NewClock(midnight.Add(-time.Minute))
	w.d.Clock = clock

	// The sink stamps usage with the clock's time, which decides the day it counts toward.
	report := func(at time.Time, n int) {
		clock.Advance(at.Sub(clock.Now()))
		for range n {
			sink.observe(agent.Event{Kind: agent.EventTokenUsage, Time: at, SessionID: "s-1", UsageDelta: &agent.TokenUsage{UncachedInput: 3, Output: 2, Total: 5}})
		}
	}
	// The recorder has not run yet, so everything below waits in one queue.
	report(midnight.Add(-time.Minute), 30)
	report(midnight.Add(time.Minute), 20)
	if queued := rec.pendingStore.Load(); queued != 1 {
		t.Errorf("%d store writes queued for 50 deltas, want 1", queued)
	}
	rec.drain()
	if got := counted.usageWrites.Load(); got != 2 {
		t.Errorf("%d store usage writes for 50 deltas over two days, want 2", got)
	}
	report(midnight.Add(2*time.Minute), 10)
	rec.drain()
	if got := counted.usageWrites.Load(); got != 3 {
		t.Errorf("%d store usage writes after a later delta, want 3", got)
	}
	// Within a second of the last write, deltas wait for the next one or the attempt's end.
	report(midnight.Add(2*time.Minute+500*time.Millisecond), 5)
	if queued := rec.pendingStore.Load(); queued != 0 {
		t.Errorf("%d store writes queued within a second of the last, want 0", queued)
	}
	sink.flushUsage()
	sink.flushUsage()
	rec.drain()
	if got := counted.usageWrites.Load(); got != 4 {
		t.Errorf("%d store usage writes after the attempt's end, want 4", got)
	}

	if failures.String() != "" {
		t.Errorf("recorder logged failures:\n%s", failures)
	}
	totals, err := st.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if totals.Tokens.Total != 65*5 || totals.Tokens.Output != 65*2 || totals.Tokens.UncachedInput != 65*3 {
		t.Errorf("store totals %+v, want the sum of 65 deltas", totals.Tokens)
	}
	for day, want := range map[time.Time]int64{midnight.Add(-time.Hour): 30 * 5, midnight: 35 * 5} {
		if got, err := st.DailyUsage(ctx, day); err != nil || got != want {
			t.Errorf("usage of %s: %d (%v), want %d", day.Format(time.DateOnly), got, err, want)
		}
	}
	issueTokens, err := st.IssueUsage(ctx, job.issue.RepoKey, job.issue.ID)
	if err != nil || issueTokens.Total != 65*5 {
		t.Errorf("issue usage %+v (%v), want %d tokens", issueTokens, err, 65*5)
	}
	records := 0
	for _, r := range verifiedRecords(t, log, st, root) {
		if r.EventType == audit.EventTokenUsage {
			records++
		}
	}
	if records != 65 {
		t.Errorf("%d token_usage records, want one for each of 65 deltas", records)
	}
}
