package orchestrator

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/orchestrator/orchestratortest"
	"github.com/symphony-go/symphony/internal/store"
)

// countingStore counts the usage writes (transactions) that reach the store and the rows
// they carry.
type countingStore struct {
	*store.Store
	usageWrites, usageRows atomic.Int64
}

func (c *countingStore) AddUsage(ctx context.Context, us ...store.Usage) error {
	c.usageWrites.Add(1)
	c.usageRows.Add(int64(len(us)))
	return c.Store.AddUsage(ctx, us...)
}

// Token deltas reported while a usage write waits in the queue join it: the store gets one
// row per UTC day instead of one per delta, in one transaction, its totals and each day's usage still add up to
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
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 1 || rows != 2 {
		t.Errorf("%d store usage writes of %d rows for 50 deltas over two days, want 1 of 2", writes, rows)
	}
	report(midnight.Add(2*time.Minute), 10)
	rec.drain()
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 2 || rows != 3 {
		t.Errorf("%d store usage writes of %d rows after a later delta, want 2 of 3", writes, rows)
	}
	// Within a second of the last write, deltas wait for the next one or the attempt's end.
	report(midnight.Add(2*time.Minute+500*time.Millisecond), 5)
	if queued := rec.pendingStore.Load(); queued != 0 {
		t.Errorf("%d store writes queued within a second of the last, want 0", queued)
	}
	sink.flushUsage()
	sink.flushUsage()
	rec.drain()
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 3 || rows != 4 {
		t.Errorf("%d store usage writes of %d rows after the attempt's end, want 3 of 4", writes, rows)
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

// orderedStore logs the usage it is given and, through other, any other store write, in the
// order they reach it.
type orderedStore struct {
	*store.Store
	mu  sync.Mutex
	log []string
}

func (o *orderedStore) AddUsage(_ context.Context, us ...store.Usage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var issues []string
	for _, u := range us {
		issues = append(issues, u.IssueID)
	}
	o.log = append(o.log, "usage "+strings.Join(issues, ","))
	return nil
}

func (o *orderedStore) other(what string) func(context.Context) error {
	return func(context.Context) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.log = append(o.log, what)
		return nil
	}
}

// The usage writes of many sessions queued together become one store transaction, written
// after the audit records around them, but never after a later store write of another kind:
// a run finished after its last deltas were posted still finds them in the store.
func TestSessionsUsageWritesShareOneTransaction(t *testing.T) {
	real, log, _ := durableLog(t)
	st := &orderedStore{Store: real}
	counted := &countingAudit{Log: log}
	rec := newRecorder(slog.New(slog.DiscardHandler), counted, st)
	usage := func(issueID string) func() []store.Usage {
		return func() []store.Usage {
			return []store.Usage{{RepoKey: "app", IssueID: issueID, Tokens: store.Tokens{Total: 1}}}
		}
	}
	rec.postUsage(usage("a"))
	rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted})
	rec.postUsage(usage("b"))
	rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted})
	rec.postUsage(usage("c"))
	rec.post("finish run", st.other("finish run"))
	rec.postUsage(usage("d"))
	rec.drain()
	want := []string{"usage a,b,c", "finish run", "usage d"}
	if !slices.Equal(st.log, want) {
		t.Errorf("store writes %q, want %q", st.log, want)
	}
	if counted.batches != 1 {
		t.Errorf("the audit log got %d batches, want 1: usage writes must not cut a batch", counted.batches)
	}
	if n := rec.pendingStore.Load(); n != 0 {
		t.Errorf("%d store writes still counted as pending", n)
	}
}
