package orchestrator

import (
	"context"
	"errors"
	"time"

	"github.com/symphony-go/symphony/internal/store"
)

// unwrittenUsage holds a session's token deltas not yet added to the store. A busy agent
// reports usage every few frames and each store write is a transaction of three statements,
// so deltas that arrive while a write is queued join that write instead of queueing their
// own. Every delta still gets its own token_usage audit record; only the store's aggregates
// are written in fewer steps. Deltas of different UTC days stay apart, so each day's usage
// counts toward that day.
type unwrittenUsage struct {
	rows []store.Usage
	// queued is set while a write that will take rows is in the recorder's queue.
	queued bool
}

// add merges u into the rows and reports whether a write must be posted for them, which is
// when none is queued.
func (p *unwrittenUsage) add(u store.Usage) (post bool) {
	if n := len(p.rows); n > 0 && sameUTCDay(p.rows[n-1].At, u.At) {
		sumTokens(&p.rows[n-1].Tokens, u.Tokens)
	} else {
		p.rows = append(p.rows, u)
	}
	post = !p.queued
	p.queued = true
	return post
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
		s.w.rec.postFromSession("token usage", s.writeUsage)
	}
}

// writeUsage adds every delta that arrived until now to the store, one transaction per day.
func (s *eventSink) writeUsage(ctx context.Context) error {
	s.mu.Lock()
	rows := s.usage.take()
	s.mu.Unlock()
	var errs []error
	for _, u := range rows {
		errs = append(errs, s.w.d.Store.AddUsage(ctx, u))
	}
	return errors.Join(errs...)
}
