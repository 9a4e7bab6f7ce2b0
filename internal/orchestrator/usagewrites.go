package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/store"
)

// usageWriteInterval is the least time between two of a session's store usage writes while
// its agent streams; what arrives in between joins the next write.
const usageWriteInterval = time.Second

// unwrittenUsage holds a session's token deltas not yet added to the store. A busy agent
// reports usage every few frames and each store write is a transaction of three statements,
// so a session writes at most once per usageWriteInterval, plus once when its attempt ends,
// and deltas that arrive while a write is queued join it. Every delta still gets its own
// token_usage audit record at once, and the per-issue token cap is enforced on the sink's own
// count; only the store's aggregates (daily and lifetime usage) trail by up to the interval.
// Deltas of different UTC days stay apart, so each day's usage counts toward that day.
type unwrittenUsage struct {
	rows []store.Usage
	// queued is set while a write that will take rows is in the recorder's queue.
	queued bool
	// posted is the time of the delta that last posted a write.
	posted time.Time
}

// add merges u into the rows and reports whether a write must be posted for them: none is
// queued and the last was posted at least usageWriteInterval before u.
func (p *unwrittenUsage) add(u store.Usage) (post bool) {
	if n := len(p.rows); n > 0 && sameUTCDay(p.rows[n-1].At, u.At) {
		sumTokens(&p.rows[n-1].Tokens, u.Tokens)
		p.rows[n-1].CostUSD += u.CostUSD
	} else {
		p.rows = append(p.rows, u)
	}
	if p.queued || (!p.posted.IsZero() && u.At.Sub(p.posted) < usageWriteInterval) {
		return false
	}
	p.queued, p.posted = true, u.At
	return true
}

// flush reports whether rows are left with no write queued to take them, and if so counts
// the write the caller posts as queued.
func (p *unwrittenUsage) flush() (post bool) {
	if len(p.rows) == 0 || p.queued {
		return false
	}
	p.queued = true
	return true
}

// take returns the rows to write and lets the next delta post a write again.
func (p *unwrittenUsage) take() []store.Usage {
	rows := p.rows
	p.rows, p.queued = nil, false
	return rows
}

func sameUTCDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

func sumTokens(dst *store.Tokens, t store.Tokens) {
	dst.Input += t.Input
	dst.UncachedInput += t.UncachedInput
	dst.CachedInput += t.CachedInput
	dst.CacheCreationInput += t.CacheCreationInput
	dst.Output += t.Output
	dst.Total += t.Total
}

// addUsage queues u for the store, posting a write unless one is already queued.
func (s *eventSink) addUsage(u store.Usage) {
	s.mu.Lock()
	post := s.usage.add(u)
	s.mu.Unlock()
	if post {
		s.w.rec.postUsage(s.takeUsage)
	}
}

// flushUsage posts the write of the deltas still unwritten when the attempt ends.
func (s *eventSink) flushUsage() {
	s.mu.Lock()
	post := s.usage.flush()
	s.mu.Unlock()
	if post {
		s.w.rec.postUsage(s.takeUsage)
	}
}

// takeUsage hands the recorder every delta that arrived until now, one row per UTC day.
func (s *eventSink) takeUsage() []store.Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage.take()
}
