package orchestrator

import (
	"cmp"
	"context"
	"slices"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
)

// eligible applies the candidate rules that do not depend on claims or slots.
func (o *Orchestrator) eligible(is issue.Issue) (bool, string) {
	switch {
	case is.ID == "" || is.Identifier == "" || is.Title == "" || is.State == "":
		return false, "issue lacks id, identifier, title or state"
	case is.RepoKey == "":
		return false, "issue matched no single repository route"
	case !o.s.isActive(is.State):
		return false, "issue state " + is.State + " is not active"
	case o.held[is.ID].Reason != "":
		return false, "held: " + o.held[is.ID].Reason
	case o.awaiting[is.ID] != nil:
		return false, "awaiting human input"
	}
	if issue.NormalizeState(is.State) == "todo" {
		for _, b := range is.BlockedBy {
			if !o.s.isTerminal(b.State) {
				return false, "blocked by " + b.Identifier
			}
		}
	}
	return true, ""
}

// slotFree applies the global and per-state concurrency limits.
func (o *Orchestrator) slotFree(state string) bool {
	if len(o.running) >= o.s.MaxTotal {
		return false
	}
	limit, ok := o.s.MaxByState[issue.NormalizeState(state)]
	if !ok {
		return true
	}
	n := 0
	for _, e := range o.running {
		if issue.NormalizeState(e.issue.State) == issue.NormalizeState(state) {
			n++
		}
	}
	return n < limit
}

// sortForDispatch puts list in dispatch order.
func sortForDispatch(list []issue.Issue) { slices.SortStableFunc(list, dispatchOrder) }

// dispatchOrder ranks by priority (1-4 first; none or any other value last), then oldest
// creation, then identifier (SPEC §8.2).
func dispatchOrder(a, b issue.Issue) int {
	rank := func(p *int) int {
		if p == nil || *p < 1 || *p > 4 {
			return 1 << 30
		}
		return *p
	}
	if c := cmp.Compare(rank(a.Priority), rank(b.Priority)); c != 0 {
		return c
	}
	switch {
	case a.CreatedAt != nil && b.CreatedAt != nil:
		if c := a.CreatedAt.Compare(*b.CreatedAt); c != 0 {
			return c
		}
	case a.CreatedAt != nil:
		return -1
	case b.CreatedAt != nil:
		return 1
	}
	return cmp.Compare(a.Identifier, b.Identifier)
}

// dispatch claims the issue and starts a worker attempt on host (whose slot the caller took;
// "" for this machine), ending its retry or queue entry.
func (o *Orchestrator) dispatch(is issue.Issue, attempt int, host string) {
	o.startAttempt(is, attempt, host, nil)
}

// startAttempt is dispatch for tracker issues (pr nil) and pull-request runs alike.
func (o *Orchestrator) startAttempt(is issue.Issue, attempt int, host string, pr *prompt.PullRequest) {
	r, q := o.retries[is.ID], o.queued[is.ID]
	if r != nil {
		o.stopTimer(r.timer)
		delete(o.retries, is.ID)
	}
	delete(o.queued, is.ID)
	if r != nil || q != nil {
		o.rec.post("delete retry", func(ctx context.Context) error { return o.d.Store.DeleteRetry(ctx, is.RepoKey, is.ID) })
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	now := o.clock.Now()
	e := &runEntry{runID: store.NewRunID(), issue: is, attempt: attempt, startedAt: now, lastEventAt: now, cancel: cancel, pr: pr, host: host}
	if host != "" {
		o.hosts.last[is.ID] = host
	}
	o.running[is.ID] = e
	if o.dogTimer == nil {
		o.armWatchdog()
	}
	o.claimed[is.ID] = true
	delete(o.watching, is.ID)
	o.log.Info("dispatching", "issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "attempt", attempt, "host", host)
	o.log.Debug("run started", "issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "run_id", e.runID)
	run := store.Run{ID: e.runID, RepoKey: is.RepoKey, IssueID: is.ID, IssueIdentifier: is.Identifier,
		IssueTitle: is.Title, IssueState: is.State, Attempt: attempt, StartedAt: now, WorkerHost: host}
	o.rec.post("start run", func(ctx context.Context) error { _, err := o.d.Store.StartRun(ctx, run); return err })
	details := map[string]any{"attempt": attempt}
	if host != "" {
		details["worker_host"] = host
	}
	if pr != nil {
		details["mode"] = "pr"
	}
	o.auditRun(is, e.runID, audit.EventRunStarted, details)
	o.d.Observer.OnDispatch(is.RepoKey)
	job := attemptJob{runID: e.runID, issue: is, attempt: attempt, knownTokens: o.issueTokens[is.ID], knownCostUSD: o.issueCostUSD[is.ID], settings: o.s, pr: pr, answer: o.answers[is.ID], resume: o.threads[is.ID], host: host}
	delete(o.answers, is.ID)
	delete(o.threads, is.ID)
	o.workers.Add(1)
	go func() {
		defer o.workers.Done()
		res := o.w.run(ctx, cancel, job, func(u workerUpdate) { o.send(u) })
		cancel(nil)
		o.send(msgExit{runID: job.runID, issueID: is.ID, res: res})
	}()
}

func (o *Orchestrator) auditRun(is issue.Issue, runID, kind string, details map[string]any) {
	o.rec.appendAudit(issueEvent(o.clock.Now(), is, runID, "", kind, details))
}
