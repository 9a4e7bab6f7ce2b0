package orchestrator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/verification"
	"github.com/symphony-go/symphony/internal/workspace"
)

// onUpdate folds a worker report into its running entry.
func (o *Orchestrator) onUpdate(u workerUpdate) {
	e := o.running[u.issueID]
	if e == nil || e.runID != u.runID {
		return
	}
	if u.workspace != "" {
		e.workspace = u.workspace
	}
	if u.pid != 0 {
		e.pid = u.pid
	}
	if u.pidStart != 0 {
		repoKey, runID, pid, start := e.issue.RepoKey, e.runID, u.pid, int64(u.pidStart)
		o.rec.post("record agent process", func(ctx context.Context) error {
			return o.d.Store.SetRunAgent(ctx, repoKey, runID, pid, start)
		})
	}
	if u.sessionID != "" {
		e.sessionID = u.sessionID
	}
	if u.turn > 0 {
		e.turns = u.turn
		o.d.Observer.OnTurn(e.issue.RepoKey, u.turnTook)
	}
	if u.hasBase {
		o.issueTokens[u.issueID] = max(o.issueTokens[u.issueID], u.baseTokens)
		o.issueCostUSD[u.issueID] = max(o.issueCostUSD[u.issueID], u.baseCostUSD)
	}
	if u.issue != nil && u.issue.State != e.issue.State {
		// Per-state limits count running attempts by state, so a move may free a slot.
		e.issue.State = u.issue.State
		o.slotsChanged = true
	}
	ev, seq := u.event, u.eventSeq
	if u.progress != nil {
		ev, seq = u.progress.take()
	}
	if ev != nil {
		now := o.clock.Now()
		// Counts (tokens, cost) add up whatever the order; what shows the newest event only
		// moves forward. A report not numbered by a sink (seq 0) is applied as it comes.
		if seq == 0 || seq > e.eventSeq {
			e.eventSeq = max(e.eventSeq, seq)
			e.sawEvent, e.lastEventAt, e.lastEvent = true, now, ev.Kind
			if ev.Message != "" {
				e.lastMessage = ev.Message
			}
			if ev.SessionID != "" {
				e.sessionID = ev.SessionID
			}
			if ev.RateLimits != nil {
				o.rateLimits = ev.RateLimits
			}
		}
		if ev.Kind == agent.EventIssueStateChanged {
			e.handedOffTo = ev.Message
		}
		if ev.Kind == agent.EventTokenUsage && ev.UsageDelta != nil {
			o.rollDay(now)
			d := *ev.UsageDelta
			e.tokens = e.tokens.Add(d)
			o.tokens = o.tokens.Add(d)
			o.dailyTokens += d.Total
			o.issueTokens[u.issueID] += d.Total
			o.d.Observer.OnTokens(e.issue.RepoKey, d)
			o.noteDailyBudget()
			if ev.CostUSD != nil {
				e.costUSD += *ev.CostUSD
				o.costUSD += *ev.CostUSD
				o.dailyCostUSD += *ev.CostUSD
				o.issueCostUSD[u.issueID] += *ev.CostUSD
				o.d.Observer.OnCost(e.issue.RepoKey, *ev.CostUSD)
			}
		}
	}
	if u.issue != nil || ev != nil {
		o.notePullRequest(e, u.issue, ev)
	}
}

// rollDay resets the daily token count at the UTC day boundary.
func (o *Orchestrator) rollDay(now time.Time) {
	if day := now.UTC().Format(time.DateOnly); day != o.day {
		o.day, o.dailyTokens, o.dailyCostUSD = day, 0, 0
	}
}

// onExit turns a finished attempt into its run record and the next scheduling step.
func (o *Orchestrator) onExit(m msgExit) {
	e := o.running[m.issueID]
	if e == nil || e.runID != m.runID {
		return
	}
	delete(o.running, m.issueID)
	o.releaseHost(e.host)
	defer o.dropUnusedKept(m.issueID, m.res.Kept)
	now := o.clock.Now()
	is := e.issue
	if m.res.Issue.State != "" && e.stopReason == "" {
		is.State = m.res.Issue.State
	}
	if e.workspace == "" {
		e.workspace = m.res.Workspace
	}
	elapsed := now.Sub(e.startedAt)
	o.runtimeSeconds += elapsed.Seconds()
	err := m.res.Err
	reason := stopReasonOf(err)
	if reason == "" && e.stopReason != "" && err != nil {
		reason = e.stopReason
	}
	status, errText := store.StatusSuccess, ""
	if err != nil {
		errText = err.Error()
		if e.host != "" && hostUnavailable(err) && !strings.Contains(errText, sshworker.CodeWorkerHostUnavailable) {
			// A workspace step over ssh reports its own code; the run's record names the
			// host's, which is what the operator reads it for.
			errText = sshworker.CodeWorkerHostUnavailable + ": " + errText
		}
	}
	next := e.attempt + 1
	log := o.log.With("issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "session_id", e.sessionID, "run_id", e.runID)
	if e.host != "" {
		log = log.With("host", e.host)
		if reason == "" && hostUnavailable(err) {
			// Counted against the host, whatever the attempt was (a pull-request run too).
			o.hostFailed(e.host, err)
		}
	}
	if e.pr != nil {
		o.onPRExit(e, is, reason, errText, now, m.res, log)
		return
	}
	freeFailover := e.host != "" && reason == "" && hostUnavailable(err) && !m.res.TurnStarted &&
		o.hosts.failovers[is.ID] < maxFreeFailovers
	if freeFailover {
		o.hosts.failovers[is.ID]++
	} else {
		delete(o.hosts.failovers, is.ID)
	}
	switch {
	case m.res.Asked != nil && (err == nil || reason == StopInactive):
		// The agent asked a human and ended its turn (moving the issue to the waiting state
		// may have stopped it as inactive first): no retry, no continuation.
		status = store.StatusAwaitingInput
		log.Info("waiting for a human's answer", "question", brief(m.res.Asked.Text))
		o.release(is.ID, is.RepoKey)
		delete(o.completed, is.ID)
		delete(o.watching, is.ID)
		o.awaitInput(is, e, *m.res.Asked, m.res.Kept, now)
	case reason == "" && agent.CodeOf(err) == agent.CodeTurnInputRequired:
		status = store.StatusAwaitingInput
		log.Info("the agent asked for user input; posting its question and waiting for a human's answer")
		o.release(is.ID, is.RepoKey)
		question := agent.MessageOf(err)
		o.askOnBehalf(is, question)
		o.awaitInput(is, e, agent.HumanQuestion{Text: question, FromState: is.State}, m.res.Kept, now)
	case err == nil && !o.s.isActive(is.State):
		// The issue left its active states during the attempt (the agent handed it off), so
		// there is nothing to continue; it is watched like any other inactive issue.
		log.Info("completed: issue handed off", "turns", m.res.Turns, "state", is.State)
		o.notice("awaiting_review", is, e, "handed off to "+is.State, nil)
		o.release(is.ID, is.RepoKey)
		o.watching[is.ID] = WatchingRow{IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey, State: is.State, URL: is.URL, LastRanAt: now}
	case err == nil:
		log.Info("completed", "turns", m.res.Turns, "state", is.State)
		o.completed[is.ID] = WatchingRow{IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey, State: is.State, URL: is.URL, LastRanAt: now}
		o.scheduleContinuation(is)
	case reason == StopBudget:
		status = store.StatusBudgetExhausted
		log.Warn("stopped: token budget exhausted; not retrying", "reason", brief(errText))
		o.release(is.ID, is.RepoKey)
		o.hold(is.ID, is.Identifier, is.RepoKey, o.budgetHoldReasonOf(is.ID))
		o.notice("budget_exceeded", is, e, brief(errText), map[string]any{"scope": "issue", "tokens_per_issue": o.s.TokensPerIssue})
	case reason == StopOperator:
		status = store.StatusStopped
		log.Info("stopped by operator")
		o.release(is.ID, is.RepoKey)
		o.hold(is.ID, is.Identifier, is.RepoKey, "stopped by operator")
	case reason == StopTerminal:
		status = store.StatusStopped
		log.Info("stopped: issue reached a terminal state; removing its workspace", "state", is.State)
		o.release(is.ID, is.RepoKey)
		delete(o.completed, is.ID)
		delete(o.watching, is.ID)
		delete(o.issueTokens, is.ID)
		delete(o.issueCostUSD, is.ID)
		o.removeWorkspace(e.host, is.RepoKey, is.ID, is.Identifier)
		delete(o.hosts.last, is.ID)
		o.notice("issue_completed", is, e, "issue moved to "+is.State, nil)
	case reason == StopInactive:
		status = store.StatusStopped
		log.Info("stopped: issue left its active states; keeping its workspace", "state", is.State)
		o.release(is.ID, is.RepoKey)
		// Leaving the active states for a non-terminal one is a hand-off, whoever made it.
		o.notice("awaiting_review", is, e, "issue moved to "+is.State, nil)
		o.watching[is.ID] = WatchingRow{IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey, State: is.State, URL: is.URL, LastRanAt: now}
	case reason == StopShutdown:
		status = store.StatusInterrupted
		log.Info("interrupted by shutdown")
	case reason == StopStuck:
		status = store.StatusTimeout
		log.Warn("failed: run_stuck, no agent progress", "elapsed_ms", now.Sub(e.lastEventAt).Milliseconds())
		o.auditRun(is, e.runID, "run_stuck", map[string]any{"elapsed_ms": now.Sub(e.lastEventAt).Milliseconds()})
		o.notice(notify.EventRunStuck, is, e, brief(errText), map[string]any{"elapsed_ms": now.Sub(e.lastEventAt).Milliseconds()})
		o.scheduleRetry(is, next, o.s.failureBackoff(next), "stuck: "+errText)
	case freeFailover:
		// The host failed before any turn began, so nothing happened in the workspace: the
		// issue moves to another healthy host at once, on the same attempt.
		status = store.StatusFailure
		log.Warn("worker host unavailable before the agent's first turn; moving the issue to another host without using up an attempt",
			"reason", brief(errText), "attempt", e.attempt)
		o.requeue(is, e.attempt, errText)
	case workspace.CodeOf(err) == workspace.CodeLocked, workspace.CodeOf(err) == workspace.CodePrimaryCloneBusy:
		// Not a crash: another agent (a predecessor's, still being killed, or another
		// service's) works there, or another process holds the primary clone the worktree
		// comes from. Nothing ran, so the issue waits its turn at the first back-off step
		// without using up an attempt, however long the wait.
		status = store.StatusFailure
		waitAttempt := max(e.attempt, 1)
		busy := "workspace is in use by another agent"
		if workspace.CodeOf(err) == workspace.CodePrimaryCloneBusy {
			busy = "the primary clone's lock is held by another process"
		}
		log.Info(busy+"; trying again later", "error", errText, "attempt", waitAttempt)
		o.scheduleRetry(is, waitAttempt, o.s.failureBackoff(1), errText)
	case agent.ResetAtOf(err).After(now):
		// The account's limit refused the turn and said when it resets: the issue waits for
		// the reset at its current attempt, and so does every other dispatch.
		status = store.StatusRateLimited
		resetAt := agent.ResetAtOf(err)
		log.Warn("usage limit reached; retrying at its reset without using up an attempt", "resets_at", resetAt.UTC().Format(time.RFC3339), "reason", brief(errText))
		o.holdDispatchUntil(resetAt)
		o.scheduleRetry(is, max(e.attempt, 1), resetAt.Sub(now), errText)
	case verification.Exhausted(err):
		// Like a locked workspace: nothing ran, so the issue waits for a port at the first
		// back-off step without using up an attempt.
		status = store.StatusFailure
		waitAttempt := max(e.attempt, 1)
		log.Info("waiting for a verification port", "reason", errText, "attempt", waitAttempt)
		o.scheduleRetry(is, waitAttempt, o.s.failureBackoff(1), errText)
	case agent.NeedsHumanAttention(err):
		status = store.StatusFailure
		log.Error("failed; needs human attention, not retrying", "reason", brief(errText))
		log.Debug("failure details", "error", errText)
		o.release(is.ID, is.RepoKey)
		o.hold(is.ID, is.Identifier, is.RepoKey, "needs human attention: "+errText)
		o.notice("run_failed", is, e, brief(errText), map[string]any{"retrying": false})
	default:
		status = store.StatusFailure
		if code := agent.CodeOf(err); code == agent.CodeTurnTimeout || code == agent.CodeResponseTimeout {
			status = store.StatusTimeout
		}
		log.Warn("failed", "reason", brief(errText))
		log.Debug("failure details", "error", errText)
		o.scheduleRetry(is, next, o.s.failureBackoff(next), fmt.Sprintf("worker exited: %s", errText))
		o.notice("run_failed", is, e, brief(errText), map[string]any{"retrying": true, "next_attempt": next})
	}
	o.finishRun(e, is.State, status, errText, now, m.res)
	o.d.Observer.OnExit(is.RepoKey, status, reason, elapsed)
}

// hold keeps an issue from dispatch and records it, so a restart keeps holding it until an
// operator releases it or it leaves the active states.
func (o *Orchestrator) hold(id, identifier, repoKey, reason string) {
	o.held[id] = HeldRow{IssueID: id, Identifier: identifier, RepoKey: repoKey, Reason: reason}
	h := store.Hold{IssueID: id, Identifier: identifier, RepoKey: repoKey, Reason: reason, Since: o.clock.Now()}
	o.rec.post("record hold", func(ctx context.Context) error { return o.d.Store.PutHold(ctx, h) })
}

// unhold releases a held issue and forgets its record.
func (o *Orchestrator) unhold(id string) {
	h, ok := o.held[id]
	if !ok {
		return
	}
	delete(o.held, id)
	o.unholdRecord(h.RepoKey, id)
}

func (o *Orchestrator) unholdRecord(repoKey, id string) {
	o.rec.post("forget hold", func(ctx context.Context) error { return o.d.Store.DeleteHold(ctx, repoKey, id) })
}

// budgetHoldReason is the hold reason of an issue out of token budget; a restart re-checks it
// against the current cap instead of trusting the record.
const budgetHoldReason = "token budget exhausted (agent.limits.tokens_per_issue)"

// dollarHoldReason is the hold reason of an issue out of its dollar budget, re-checked the same way.
const dollarHoldReason = "dollar budget exhausted (agent.limits.dollars_per_issue)"

// budgetHoldReasonOf names the budget an issue stopped for exhausted: dollars when its cost
// reached the dollar cap, else tokens.
func (o *Orchestrator) budgetHoldReasonOf(issueID string) string {
	if o.s.DollarsPerIssue > 0 && o.issueCostUSD[issueID] >= o.s.DollarsPerIssue {
		return dollarHoldReason
	}
	return budgetHoldReason
}

// removeWorkspace removes a terminal issue's workspace on the host its attempt ran on ("" for
// this machine), off the loop.
func (o *Orchestrator) removeWorkspace(host, repoKey, id, identifier string) {
	o.cleanups.Add(1)
	go func() {
		defer o.cleanups.Done()
		ctx, cancel := context.WithTimeout(context.Background(), sessionStopTimeout)
		defer cancel()
		spaces, err := o.d.WorkspacesOn(host)
		if err == nil {
			// The agent's supervisor holds the workspace lock until the agent tree is gone,
			// which can be a moment after the attempt ended; Remove refuses a locked workspace.
			err = spaces.Remove(ctx, repoKey, id, identifier)
		}
		for workspace.CodeOf(err) == workspace.CodeLocked && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(lockedRemoveRetry):
				err = spaces.Remove(ctx, repoKey, id, identifier)
			}
		}
		if err != nil {
			o.log.Warn("removing the workspace of a terminal issue failed", "issue_id", id, "issue_identifier", identifier, "repo_key", repoKey,
				"host", host, "error", err.Error())
		}
	}()
}

func (o *Orchestrator) finishRun(e *runEntry, state string, status store.Status, errText string, now time.Time, res attemptResult) {
	is := e.issue
	row := store.Run{ID: e.runID, RepoKey: is.RepoKey, IssueID: is.ID, IssueIdentifier: is.Identifier, IssueState: state,
		Attempt: e.attempt, Status: status, EndedAt: now, Error: errText, WorkspacePath: e.workspace, WorkerHost: e.host,
		SessionID: e.sessionID, Tokens: storeTokens(e.tokens), RuntimeSeconds: now.Sub(e.startedAt).Seconds(),
		ToolCalls: res.ToolCalls, ToolFailures: res.ToolFailures, CostUSD: e.costUSD}
	o.rec.post("finish run", func(ctx context.Context) error { return o.d.Store.FinishRun(ctx, row) })
	details := map[string]any{"status": string(status), "turns": res.Turns, "total_tokens": e.tokens.Total, "cost_usd": e.costUSD}
	if res.ReviewerTokens > 0 {
		// Already inside total_tokens; told apart so the reviewer's cost can be seen.
		details["reviewer_tokens"] = res.ReviewerTokens
	}
	o.auditRun(is, e.runID, audit.EventRunFinished, details)
	o.history = append(o.history, HistoryRow{RunID: e.runID, IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey,
		Attempt: e.attempt, Status: status, Error: errText, StartedAt: e.startedAt, EndedAt: now, Tokens: e.tokens, CostUSD: e.costUSD, Host: e.host})
	if over := len(o.history) - o.s.HistoryLimit; over > 0 {
		o.history = o.history[over:]
	}
}
