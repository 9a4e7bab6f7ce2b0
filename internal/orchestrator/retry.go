package orchestrator

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// errRetryPoll is the retry reason an operator sees when the due retry's tracker check failed.
const errRetryPoll = "retry poll failed"

// scheduleContinuation re-dispatches an issue that is still active after a normal exit, after
// the short continuation delay (SPEC §8.4). It is no failure: the attempt stays 1.
func (o *Orchestrator) scheduleContinuation(is issue.Issue) {
	o.scheduleRetry(is, 1, continuationDelay, "")
}

// scheduleRetry replaces any retry of the issue with one due after delay, keeps the claim and
// persists the row so a restart re-creates the timer. An empty why marks a continuation, in
// memory as in the store's retry rows.
func (o *Orchestrator) scheduleRetry(is issue.Issue, attempt int, delay time.Duration, why string) {
	if old := o.retries[is.ID]; old != nil {
		o.stopTimer(old.timer)
	}
	delete(o.queued, is.ID)
	o.retryGen++
	gen, id := o.retryGen, is.ID
	due := o.clock.Now().Add(delay)
	r := &retryEntry{issueID: id, identifier: is.Identifier, repoKey: is.RepoKey, attempt: attempt, dueAt: due, err: why, gen: gen}
	r.timer = o.clock.AfterFunc(delay, func() { o.send(msgRetryDue{issueID: id, gen: gen}) })
	o.retries[id] = r
	o.claimed[id] = true
	if why == "" {
		o.log.Info("continuing", "issue_id", id, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "delay", delay.String())
	} else {
		o.log.Info("retrying", "issue_id", id, "issue_identifier", is.Identifier, "repo_key", is.RepoKey,
			"attempt", attempt, "delay", delay.String(), "reason", brief(why))
	}
	row := store.Retry{RepoKey: is.RepoKey, IssueID: id, Identifier: is.Identifier, Attempt: attempt, DueAt: due, Error: why,
		WorkerHost: o.hosts.last[id]}
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
	if q := o.queued[id]; q != nil {
		delete(o.queued, id)
		if repoKey == "" {
			repoKey = q.issue.RepoKey
		}
	}
	delete(o.claimed, id)
	o.forgetCandidate(id)
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

// onRetryPoll decides a due retry against fresh candidates (SPEC §8.4, §16.6). An issue still
// eligible joins the issues waiting for a slot, and fillSlots decides when it runs: waiting
// for a slot is not a failure, so unlike the reference it is not requeued with a backoff.
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
	o.queue(r, is)
}
