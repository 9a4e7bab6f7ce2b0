package orchestrator

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/store"
)

// usageWriteInterval is the least time between two of the recorder's own token usage writes.
// Agents report usage every few frames, and each write is a store transaction with an fsync
// of its own; 200 streaming agents wrote one on nearly every drain. Deltas in between are
// summed in memory. It is the audit log's fsync cadence: after a power loss the store lacks
// no more recent usage than the audit log's token_usage records do; a crash of the process
// alone can cost the store the last interval's usage while its records stay in the log.
const usageWriteInterval = audit.DefaultFlushInterval

// usageKey is what unwritten deltas are summed by: the store counts usage per issue and per
// UTC day.
type usageKey struct {
	repoKey, issueID string
	day              int64
}

// unwrittenUsage sums the token deltas of every session not yet written to the store, one row
// per issue and UTC day (so each day's usage counts toward that day), so it holds a row or
// two per running issue however fast agents report. The per-issue caps are enforced on the
// sinks' own counts and the daily ones on the loop's, never on these rows.
type unwrittenUsage struct {
	rows  []store.Usage
	index map[usageKey]int
}

// add sums u into its issue's and day's row and reports whether it is the first unwritten delta.
func (p *unwrittenUsage) add(u store.Usage) (first bool) {
	first = len(p.rows) == 0
	key := usageKey{u.RepoKey, u.IssueID, utcDayNumber(u.At)}
	if i, ok := p.index[key]; ok {
		row := &p.rows[i]
		sumTokens(&row.Tokens, u.Tokens)
		row.CostUSD += u.CostUSD
		return first
	}
	if p.index == nil {
		p.index = map[usageKey]int{}
	}
	p.index[key] = len(p.rows)
	p.rows = append(p.rows, u)
	return first
}

// take returns the rows to write and starts a new sum.
func (p *unwrittenUsage) take() []store.Usage {
	rows := p.rows
	p.rows = nil
	clear(p.index)
	return rows
}

// utcDayNumber names t's UTC day by the Unix time of its midnight: Truncate counts from the
// zero time, a UTC midnight, whatever t's location. The zero time (the store's "now") is a
// day of its own.
func utcDayNumber(t time.Time) int64 {
	return t.Truncate(24 * time.Hour).Unix()
}

func sumTokens(dst *store.Tokens, t store.Tokens) {
	dst.Input += t.Input
	dst.UncachedInput += t.UncachedInput
	dst.CachedInput += t.CachedInput
	dst.CacheCreationInput += t.CacheCreationInput
	dst.Output += t.Output
	dst.Total += t.Total
}

// addUsage sums a session's token delta into the usage the recorder writes next. The sum is
// written at most every usageWriteInterval, with the first store write queued after it (in
// the same transaction), and whole by every drain outside the recorder's own loop (shutdown,
// RunOnce). While any is unwritten it counts as one pending store write.
func (r *recorder) addUsage(u store.Usage) {
	r.mu.Lock()
	first := r.usage.add(u)
	if first {
		r.pendingStore.Add(1)
	}
	r.mu.Unlock()
	if first {
		// An idle recorder must learn of it to time the write.
		r.signal()
	}
}

// usageDue reports whether the recorder's loop writes the unwritten usage now: when none was
// written for usageWriteInterval. It returns how long until then otherwise. Only drains call
// it, as only they touch usageWritten.
func (r *recorder) usageDue() (due bool, wait time.Duration) {
	wait = usageWriteInterval - r.now().Sub(r.usageWritten)
	return wait <= 0, wait
}

// hasUsage reports whether any delta is unwritten.
func (r *recorder) hasUsage() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.usage.rows) > 0
}

// writeUsage writes every unwritten delta in one store transaction, or in the batch ctx
// carries, and reports whether there were any. Called only while draining.
func (r *recorder) writeUsage(ctx context.Context) bool {
	r.mu.Lock()
	rows := r.usage.take()
	r.mu.Unlock()
	if len(rows) == 0 {
		return false
	}
	r.usageWritten = r.now()
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	if err := r.store.AddUsage(ctx, rows...); err != nil {
		r.log.Error("durable write failed", "write", "token usage", "rows", len(rows), "error", err.Error())
	}
	cancel()
	r.pendingStore.Add(-1)
	return true
}
