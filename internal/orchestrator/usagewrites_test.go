package orchestrator

import (
	"context"
	"fmt"
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
// they carry, and when wrote is set, tells it of each write done.
type countingStore struct {
	*store.Store
	usageWrites, usageRows atomic.Int64
	wrote                  chan struct{}
}

func (c *countingStore) AddUsage(ctx context.Context, us ...store.Usage) error {
	c.usageWrites.Add(1)
	c.usageRows.Add(int64(len(us)))
	err := c.Store.AddUsage(ctx, us...)
	if c.wrote != nil {
		c.wrote <- struct{}{}
	}
	return err
}

// recorderClock lets a test move the clock the recorder times usage writes on.
type recorderClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *recorderClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *recorderClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Token deltas are summed in memory, one row per issue and UTC day, and the recorder's loop
// writes them at most every usageWriteInterval: the store's totals, each day's usage and the
// issue's usage still add up to every delta, and every delta keeps its own token_usage audit
// record. What the store lacks at any moment (what a crash would lose) is only what was
// reported since the last usage write, less than usageWriteInterval ago; a drain from outside
// the loop (shutdown, RunOnce) writes everything.
func TestTokenDeltasAreWrittenAtMostEveryInterval(t *testing.T) {
	st, log, root := durableLog(t)
	counted := &countingStore{Store: st}
	failures := &syncBuffer{}
	rec := newRecorder(slog.New(slog.NewTextHandler(failures, nil)), log, counted)
	recClock := &recorderClock{now: time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)}
	rec.now = recClock.Now
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
	issueTotal := func() int64 {
		t.Helper()
		used, err := st.IssueUsage(ctx, is.RepoKey, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		return used.Total
	}
	report(midnight.Add(-time.Minute), 30)
	report(midnight.Add(time.Minute), 20)
	if queued := rec.pendingStore.Load(); queued != 1 {
		t.Errorf("%d store writes pending for 50 unwritten deltas, want 1", queued)
	}
	// The loop's first drain writes at once: nothing was written for an interval.
	rec.drainQueue(false)
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 1 || rows != 2 {
		t.Errorf("%d store usage writes of %d rows for 50 deltas over two days, want 1 of 2", writes, rows)
	}
	// Within the interval the loop's drains leave new deltas in memory ...
	report(midnight.Add(2*time.Minute), 10)
	recClock.Advance(usageWriteInterval - time.Millisecond)
	rec.drainQueue(false)
	if writes := counted.usageWrites.Load(); writes != 1 {
		t.Errorf("%d store usage writes within %v of the last, want 1", writes, usageWriteInterval)
	}
	if got := issueTotal(); got != 50*5 {
		t.Errorf("store holds %d of the issue's tokens, want the 250 written before", got)
	}
	// ... and write them once it has passed.
	recClock.Advance(time.Millisecond)
	rec.drainQueue(false)
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 2 || rows != 3 {
		t.Errorf("%d store usage writes of %d rows an interval later, want 2 of 3", writes, rows)
	}
	if queued := rec.pendingStore.Load(); queued != 0 {
		t.Errorf("%d store writes pending after every delta was written", queued)
	}
	// A drain from outside the loop writes whatever is left, however recent.
	report(midnight.Add(2*time.Minute+500*time.Millisecond), 5)
	rec.drain()
	if writes, rows := counted.usageWrites.Load(), counted.usageRows.Load(); writes != 3 || rows != 4 {
		t.Errorf("%d store usage writes of %d rows after a full drain, want 3 of 4", writes, rows)
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
	if got := issueTotal(); got != 65*5 {
		t.Errorf("issue usage %d, want %d tokens", got, 65*5)
	}
	records := 0
	for _, r := range verifiedRecords(t, log, st, root) {
		if r.EventType == audit.EventTokenUsage {
			records++
			if got := fmt.Sprintf("%v %v %v", r.Details["delta_total_tokens"], r.Details["input_tokens"], r.Details["output_tokens"]); got != "5 3 2" {
				t.Errorf("token_usage details %v, want 5 tokens, 3 in and 2 out", r.Details)
			}
		}
	}
	if records != 65 {
		t.Errorf("%d token_usage records, want one for each of 65 deltas", records)
	}
}

// The recorder's own loop writes unwritten usage when nothing else is queued: a delta
// reported to an idle recorder reaches the store without any other write or a shutdown.
func TestIdleRecorderWritesUsageOnItsOwn(t *testing.T) {
	st, log, _ := durableLog(t)
	counted := &countingStore{Store: st, wrote: make(chan struct{})}
	rec := newRecorder(slog.New(slog.DiscardHandler), log, counted)
	stop := runRecorder(t, rec)
	defer stop()
	written := func(what string) {
		t.Helper()
		select {
		case <-counted.wrote:
		case <-time.After(waitLimit):
			t.Fatalf("%s never reached the store", what)
		}
	}
	rec.addUsage(store.Usage{RepoKey: "app", IssueID: "a", Tokens: store.Tokens{Total: 1}})
	written("a delta to an idle recorder")
	// The next one must wait for its interval, with nothing else to wake the recorder.
	rec.addUsage(store.Usage{RepoKey: "app", IssueID: "a", Tokens: store.Tokens{Total: 2}})
	written("a delta within the interval of the last write")
	used, err := st.IssueUsage(context.Background(), "app", "a")
	if err != nil || used.Total != 3 {
		t.Errorf("issue usage %d (%v), want 3", used.Total, err)
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

// Many sessions' deltas become one store transaction and never cut the audit batches around
// them; a store write of another kind takes every delta summed before it was performed in its
// own batch, so a run finished after its last deltas still finds them in the store.
func TestSessionsUsageWritesShareOneTransaction(t *testing.T) {
	real, log, _ := durableLog(t)
	st := &orderedStore{Store: real}
	counted := &countingAudit{Log: log}
	rec := newRecorder(slog.New(slog.DiscardHandler), counted, st)
	usage := func(issueID string) store.Usage {
		return store.Usage{RepoKey: "app", IssueID: issueID, Tokens: store.Tokens{Total: 1}}
	}
	rec.addUsage(usage("a"))
	rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted})
	rec.addUsage(usage("b"))
	rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted})
	rec.addUsage(usage("a"))
	rec.drain()
	if counted.batches != 1 {
		t.Errorf("the audit log got %d batches, want 1: usage must not cut a batch", counted.batches)
	}
	rec.addUsage(usage("c"))
	rec.post("finish run", st.other("finish run"))
	rec.addUsage(usage("d"))
	rec.drain()
	want := []string{"usage a,b", "usage c,d", "finish run"}
	if !slices.Equal(st.log, want) {
		t.Errorf("store writes %q, want %q", st.log, want)
	}
	if n := rec.pendingStore.Load(); n != 0 {
		t.Errorf("%d store writes still counted as pending", n)
	}
}
