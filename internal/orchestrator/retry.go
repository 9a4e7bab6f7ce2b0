package orchestrator

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// Requeue reasons an operator sees in retry rows.
const (
	errNoSlots        = "no available orchestrator slots"
	errDispatchPaused = "dispatch is held"
	errRetryPoll      = "retry poll failed"
)

// scheduleRetry replaces any retry of the issue with one due after delay, keeps the claim and
// persists the row so a restart re-creates the timer.
func (o *Orchestrator) scheduleRetry(is issue.Issue, attempt int, delay time.Duration, why string) {
	if old := o.retries[is.ID]; old != nil {
		o.stopTimer(old.timer)
	}
	o.retryGen++
	gen, id := o.retryGen, is.ID
	due := o.clock.Now().Add(delay)
	r := &retryEntry{issueID: id, identifier: is.Identifier, repoKey: is.RepoKey, attempt: attempt, dueAt: due, err: why, gen: gen}
	r.timer = o.clock.AfterFunc(delay, func() { o.send(msgRetryDue{issueID: id, gen: gen}) })
	o.retries[id] = r
	o.claimed[id] = true
	o.log.Info("retrying", "issue_id", id, "issue_identifier", is.Identifier, "repo_key", is.RepoKey,
		"attempt", attempt, "delay", delay.String(), "reason", why)
	row := store.Retry{RepoKey: is.RepoKey, IssueID: id, Identifier: is.Identifier, Attempt: attempt, DueAt: due, Error: why}
	o.rec.post("put retry", func(ctx context.Context) error { return o.d.Store.PutRetry(ctx, row) })
}

// release forgets every claim on the issue (SPEC §7.1 Released).
func (o *Orchestrator) release(id, repoKey string) {
	if r := o.retries[id]; r != nil {
		o.stopTimer(r.timer)
		delete(o.retries, id)
		if repoKey == "" {
			repoKey = r.repoKey
		}
	}
	delete(o.claimed, id)
	for key, list := range o.routeCache {
		for i, is := range list {
			if is.ID == id {
				o.routeCache[key] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
	}
	if repoKey != "" {
		o.rec.post("delete retry", func(ctx context.Context) error { return o.d.Store.DeleteRetry(ctx, repoKey, id) })
	}
}

func (o *Orchestrator) onRetryDue(m msgRetryDue) {
	r := o.retries[m.issueID]
	if r == nil || r.gen != m.gen || o.stopping {
		return
	}
	timeout := o.s.TrackerTimeout // read here: the goroutine must not touch loop-owned settings
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		c, err := o.d.Tracker.FetchCandidates(ctx)
		o.send(msgRetryPoll{issueID: m.issueID, gen: m.gen, cands: c, err: err})
	}()
}

// onRetryPoll decides a due retry against fresh candidates (SPEC §8.4, §16.6).
func (o *Orchestrator) onRetryPoll(m msgRetryPoll) {
	r := o.retries[m.issueID]
	if r == nil || r.gen != m.gen || o.stopping {
		return
	}
	known := issue.Issue{ID: r.issueID, Identifier: r.identifier, RepoKey: r.repoKey}
	if m.err != nil {
		o.scheduleRetry(known, r.attempt+1, o.s.failureBackoff(r.attempt+1), errRetryPoll+": "+m.err.Error())
		return
	}
	var found *issue.Issue
	for i := range m.cands.Dispatchable {
		if m.cands.Dispatchable[i].ID == m.issueID {
			found = &m.cands.Dispatchable[i]
			break
		}
	}
	if found == nil {
		o.log.Info("releasing claim: issue is no longer an active candidate", "issue_id", r.issueID, "issue_identifier", r.identifier, "repo_key", r.repoKey)
		o.release(r.issueID, r.repoKey)
		return
	}
	is := *found
	if ok, why := o.eligible(is); !ok {
		o.log.Info("releasing claim", "issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "reason", why)
		o.release(is.ID, is.RepoKey)
		return
	}
	if b := o.blockers(); len(b) > 0 {
		o.scheduleRetry(is, r.attempt+1, o.s.failureBackoff(r.attempt+1), errDispatchPaused+": "+b[0])
		return
	}
	if !o.slotFree(is.State) {
		o.scheduleRetry(is, r.attempt+1, o.s.failureBackoff(r.attempt+1), errNoSlots)
		return
	}
	o.dispatch(is, r.attempt)
}
