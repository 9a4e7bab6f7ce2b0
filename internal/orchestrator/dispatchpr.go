package orchestrator

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/store"
)

// Codes the running service refuses a pull-request run with, besides RefusedPaused and
// RefusedAlreadyRunning.
const (
	// RefusedNoFreeSlot: every slot the run would need is taken. A PR run is an operator's
	// request for now, so it is refused rather than queued behind tracker issues.
	RefusedNoFreeSlot = "no_free_slot"
	// RefusedDispatchBlocked: a dispatch blocker other than the pause (disk guard, daily
	// budget, failed preflight) holds every new run.
	RefusedDispatchBlocked = "dispatch_blocked"
	// RefusedNoWorkerCapacity: worker hosts are configured and none that is healthy has a
	// free slot; the run never falls back to this machine.
	RefusedNoWorkerCapacity = sshworker.CodeNoWorkerCapacity
)

// DispatchPR starts one attempt on an existing pull request's head branch in a free slot of
// the running service: one turn, never retried or continued, the tracker untouched, recorded
// as a run of PRIssue. It answers once the run has started (not finished), or with a
// *Refusal: paused, already_running, dispatch_blocked or no_free_slot. The caller has already
// checked that the pull request is open and not from a fork.
func (o *Orchestrator) DispatchPR(repoKey string, pr prompt.PullRequest) error {
	if strings.TrimSpace(repoKey) == "" || pr.Number < 1 {
		return fmt.Errorf("dispatch_pr: a repository key and a positive pull request number are required (got %q, %d)", repoKey, pr.Number)
	}
	return o.request(func(reply chan error) loopMessage { return msgDispatchPR{repoKey: repoKey, pr: pr, reply: reply} }, "dispatch_pr")
}

func (o *Orchestrator) onDispatchPR(m msgDispatchPR) {
	if o.stopping {
		m.reply <- errShuttingDown("dispatch_pr")
		return
	}
	is := PRIssue(m.repoKey, m.pr)
	if err := o.prRefusal(is); err != nil {
		m.reply <- err
		return
	}
	host, ok := o.takeHost(is.ID)
	if !ok {
		m.reply <- &Refusal{Code: RefusedNoWorkerCapacity, Message: fmt.Sprintf("no healthy worker host has a free slot; try %s again once one frees", is.Identifier)}
		return
	}
	pr := m.pr
	o.startAttempt(is, 0, host, &pr)
	o.auditOperator("dispatch_pr", is.ID)
	m.reply <- nil
}

// prRefusal is why the pull-request run of is cannot start now, or nil.
func (o *Orchestrator) prRefusal(is issue.Issue) error {
	switch {
	case o.pause.Paused:
		return &Refusal{Code: RefusedPaused, Message: fmt.Sprintf("dispatch is paused (%s); resume before running %s", o.pause.Reason, is.Identifier)}
	case o.running[is.ID] != nil:
		return &Refusal{Code: RefusedAlreadyRunning, Message: fmt.Sprintf("run %s of %s (%s) has not finished", o.running[is.ID].runID, is.Identifier, is.URL)}
	case o.queued[is.ID] != nil || o.retries[is.ID] != nil:
		return &Refusal{Code: RefusedAlreadyRunning, Message: fmt.Sprintf("%s (%s) is already waiting to run", is.Identifier, is.URL)}
	}
	if b := o.blockers(); len(b) > 0 {
		return &Refusal{Code: RefusedDispatchBlocked, Message: fmt.Sprintf("new runs are held: %s", b[0].Message)}
	}
	if !o.slotFree(is.State) {
		return &Refusal{Code: RefusedNoFreeSlot, Message: fmt.Sprintf("all %d agent slots (or the %q state's) are taken; try %s again once one frees", o.s.MaxTotal, is.State, is.Identifier)}
	}
	return nil
}

// onPRExit records a finished pull-request run and lets its issue go: whatever the outcome,
// nothing is retried, continued or held, since the operator asked for exactly one attempt.
func (o *Orchestrator) onPRExit(e *runEntry, is issue.Issue, reason StopReason, errText string, now time.Time, res attemptResult, log *slog.Logger) {
	status := prRunStatus(res.Err, reason)
	log.Info("pull-request run ended; it is never retried", "status", string(status), "turns", res.Turns, "error", brief(errText))
	o.release(is.ID, is.RepoKey)
	o.finishRun(e, is.State, status, errText, now, res)
	o.d.Observer.OnExit(is.RepoKey, status, reason, now.Sub(e.startedAt))
}

// prRunStatus is the run status a pull-request attempt ended with.
func prRunStatus(err error, reason StopReason) store.Status {
	switch {
	case err == nil:
		return store.StatusSuccess
	case reason == StopOperator || reason == StopTerminal || reason == StopInactive:
		return store.StatusStopped
	case reason == StopShutdown:
		return store.StatusInterrupted
	case reason == StopBudget:
		return store.StatusBudgetExhausted
	case reason == StopStuck || reason == StopTimeout:
		return store.StatusTimeout
	}
	if code := agent.CodeOf(err); code == agent.CodeTurnTimeout || code == agent.CodeResponseTimeout {
		return store.StatusTimeout
	}
	return store.StatusFailure
}
