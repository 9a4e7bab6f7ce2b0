package orchestrator

import (
	"context"
	"slices"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/store"
)

// queuedEntry is a claimed issue waiting for a slot: a retry or continuation whose timer fired
// and whose issue the tracker still lists as an eligible candidate. Waiting is not a failure,
// so the entry keeps its attempt number and gets no backoff; its durable retry row stays, so
// a restart brings it back due at once.
type queuedEntry struct {
	issue        issue.Issue
	attempt      int
	continuation bool
}

// waitingIssue is an eligible issue without a slot: a queued retry or continuation, or an
// unclaimed candidate of the latest poll (attempt 0).
type waitingIssue struct {
	issue        issue.Issue
	attempt      int
	continuation bool
}

// queue parks a due retry or continuation until a slot frees.
func (o *Orchestrator) queue(r *retryEntry, is issue.Issue) {
	delete(o.retries, is.ID)
	o.queued[is.ID] = &queuedEntry{issue: is, attempt: r.attempt, continuation: r.err == ""}
	o.claimed[is.ID] = true
	o.log.Debug("waiting for a slot", "issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "attempt", r.attempt)
}

// requeue parks an issue whose worker host failed before its first turn among the issues
// waiting for a slot, on the same attempt, so the next free slot on a healthy host takes it at
// once. Its durable retry row is due now, so a restart dispatches it again too; the store
// counts attempts from 1, so a first run comes back from a restart as attempt 1.
func (o *Orchestrator) requeue(is issue.Issue, attempt int, why string) {
	if old := o.retries[is.ID]; old != nil {
		o.stopTimer(old.timer)
		delete(o.retries, is.ID)
	}
	o.queued[is.ID] = &queuedEntry{issue: is, attempt: attempt}
	o.claimed[is.ID] = true
	row := store.Retry{RepoKey: is.RepoKey, IssueID: is.ID, Identifier: is.Identifier, Attempt: max(attempt, 1), DueAt: o.clock.Now(),
		Error: why, WorkerHost: o.hosts.last[is.ID]}
	o.rec.post("put retry", func(ctx context.Context) error { return o.d.Store.PutRetry(ctx, row) })
}

// fillSlots gives free slots to waiting issues in dispatch order (SPEC §8.2-8.3) and keeps
// the rest in o.waiting. Queued retries and continuations compete with the latest poll's
// unclaimed candidates in that one order, so a freed slot goes at once to the best-ranked
// waiting issue, and a continuation never takes a slot ahead of a better-ranked issue that
// was waiting. Nothing is dispatched before every route has answered once: a restored retry
// must not run ahead of better-ranked issues the first poll has yet to report.
func (o *Orchestrator) fillSlots() {
	o.slotsChanged = false
	o.waiting = nil
	if o.stopping {
		return
	}
	o.hosts.noCapacity = false
	hold := !o.candidatesKnown || len(o.blockers()) > 0
	for _, w := range o.waitingInOrder() {
		reason := ""
		if !hold && o.slotFree(w.issue.State) {
			if host, ok := o.takeHost(w.issue.ID); ok {
				o.dispatch(w.issue, w.attempt, host)
				continue
			}
			// Never a fall-back to this machine: the issue waits for a worker host slot.
			reason, o.hosts.noCapacity = sshworker.CodeNoWorkerCapacity, true
		}
		o.waiting = append(o.waiting, QueuedRow{IssueID: w.issue.ID, Identifier: w.issue.Identifier, RepoKey: w.issue.RepoKey,
			State: w.issue.State, Attempt: w.attempt, Continuation: w.continuation, Reason: reason})
	}
}

// waitingInOrder lists the eligible issues that are neither running nor claimed by a pending
// retry, best-ranked first.
func (o *Orchestrator) waitingInOrder() []waitingIssue {
	list := make([]waitingIssue, 0, len(o.queued)+len(o.candidates))
	for _, q := range o.queued {
		if ok, _ := o.eligible(q.issue); ok {
			list = append(list, waitingIssue{issue: q.issue, attempt: q.attempt, continuation: q.continuation})
		}
	}
	for _, is := range o.candidates {
		if o.claimed[is.ID] || o.running[is.ID] != nil || o.gated(is) {
			continue
		}
		if ok, _ := o.eligible(is); ok {
			list = append(list, waitingIssue{issue: is})
		}
	}
	slices.SortStableFunc(list, func(a, b waitingIssue) int { return dispatchOrder(a.issue, b.issue) })
	return list
}

// learnCandidates keeps a complete poll's dispatchable issues, in dispatch order, for
// fillSlots.
func (o *Orchestrator) learnCandidates(dispatchable []issue.Issue) {
	o.candidates = slices.Clone(dispatchable)
	sortForDispatch(o.candidates)
	o.candidatesKnown = true
}

// refreshQueued gives queued entries the poll's fresher copy (a changed priority changes
// their rank) and releases those the polled routes no longer list, as the retry check would
// have: they left their active states, this worker or their route.
func (o *Orchestrator) refreshQueued(m msgPoll, dispatchable []issue.Issue) {
	fresh := make(map[string]issue.Issue, len(o.queued))
	for _, is := range dispatchable {
		if o.queued[is.ID] != nil {
			fresh[is.ID] = is
		}
	}
	for id, q := range o.queued {
		if is, ok := fresh[id]; ok {
			q.issue = is
			continue
		}
		polled := m.all != nil
		if !polled {
			_, polled = m.routes[q.issue.RepoKey]
		}
		if polled {
			o.log.Info("releasing claim: issue is no longer an active candidate", "issue_id", id, "issue_identifier", q.issue.Identifier, "repo_key", q.issue.RepoKey)
			o.release(id, q.issue.RepoKey)
		}
	}
}

// forgetCandidate drops an issue from the known candidates once its claim is released, so a
// slot freed before the next poll never goes to an issue that just left its active states.
func (o *Orchestrator) forgetCandidate(id string) {
	o.candidates = slices.DeleteFunc(o.candidates, func(is issue.Issue) bool { return is.ID == id })
}
