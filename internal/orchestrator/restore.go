package orchestrator

import (
	"context"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// restoreLimit bounds how many budget-exhausted runs a restart inspects.
const restoreLimit = 1000

// restore rebuilds durable scheduling state before the first poll (SPEC §14.3): runs left
// running by a dead process become interrupted, the operator pause and today's token usage
// come back, held issues stay held (budget-exhausted ones unless the cap was raised), and every retry row
// becomes a timer again, claimed so no poll dispatches it twice.
func (o *Orchestrator) restore(ctx context.Context) error {
	st := o.d.Store
	if err := o.endPredecessorAgents(ctx); err != nil {
		return err
	}
	n, err := st.MarkInterrupted(ctx, "the previous Symphony process ended while this run was in progress")
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	if n > 0 {
		o.log.Warn("marked runs of the previous process as interrupted", "count", n)
	}
	if o.pause, err = st.Pause(ctx); err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	now := o.clock.Now()
	o.rollDay(now)
	if o.dailyTokens, err = st.DailyUsage(ctx, now); err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	if o.s.TokensPerDay > 0 && o.dailyTokens >= o.s.TokensPerDay {
		// The previous process already reached (and notified) today's budget.
		o.dayBudgetNoticed = o.day
	}
	if o.dailyCostUSD, err = st.DailyCost(ctx, now); err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	totals, err := st.Totals(ctx)
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	o.runtimeSeconds, o.costUSD = totals.RuntimeSeconds, totals.CostUSD
	o.tokens = agent.TokenUsage{UncachedInput: totals.Tokens.UncachedInput, CachedInput: totals.Tokens.CachedInput,
		CacheCreationInput: totals.Tokens.CacheCreationInput, Output: totals.Tokens.Output, Total: totals.Tokens.Total}
	holds, err := st.Holds(ctx)
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	for _, h := range holds {
		if h.Question != nil {
			o.awaiting[h.IssueID] = &awaitingEntry{q: *h.Question, row: AwaitingRow{IssueID: h.IssueID, Identifier: h.Identifier,
				RepoKey: h.RepoKey, Question: h.Question.Text, AskedAt: h.Since}}
			continue
		}
		// A budget hold is decided again below: the cap may have been raised meanwhile.
		if h.Reason == budgetHoldReason || h.Reason == dollarHoldReason {
			o.unholdRecord(h.RepoKey, h.IssueID)
			continue
		}
		o.held[h.IssueID] = HeldRow{IssueID: h.IssueID, Identifier: h.Identifier, RepoKey: h.RepoKey, Reason: h.Reason}
	}
	o.sweepKeptThreads()
	if err := o.restoreBudgetHolds(ctx); err != nil {
		return err
	}
	if err := o.restoreHosts(ctx); err != nil {
		return err
	}
	retries, err := st.Retries(ctx)
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	for _, r := range retries {
		if r.WorkerHost != "" {
			o.hosts.last[r.IssueID] = r.WorkerHost
		}
		delay := max(r.DueAt.Sub(now), 0)
		o.scheduleRetry(issue.Issue{ID: r.IssueID, Identifier: r.Identifier, RepoKey: r.RepoKey}, r.Attempt, delay, r.Error)
	}
	if len(retries) > 0 {
		o.log.Info("restored retry queue", "count", len(retries))
	}
	return nil
}

// restoreHosts learns the host of each issue's latest recorded run, so its retries, reworks and
// cleanup go back to the host that holds its workspace.
func (o *Orchestrator) restoreHosts(ctx context.Context) error {
	if o.hosts.pool == nil {
		return nil
	}
	runs, err := o.d.Store.Runs(ctx, store.RunFilter{Limit: restoreLimit})
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	for _, r := range runs {
		if _, known := o.hosts.last[r.IssueID]; !known && r.WorkerHost != "" {
			o.hosts.last[r.IssueID] = r.WorkerHost
		}
	}
	return nil
}

// predecessorAgentTimeout bounds how long start-up waits for one agent of the previous
// process to be gone.
const predecessorAgentTimeout = 10 * time.Second

// endPredecessorAgents makes sure the agents of runs the previous process left running are
// gone before anything is dispatched. Their supervisors normally kill their trees when the
// service dies; this covers the rest (an agent started without a supervisor, a supervisor
// still sweeping). A process is identified by pid and start time, so a reused pid is never
// signalled. One that will not die is logged, and its workspace lock keeps the issue from
// being dispatched into it.
func (o *Orchestrator) endPredecessorAgents(ctx context.Context) error {
	runs, err := o.d.Store.Runs(ctx, store.RunFilter{Status: store.StatusRunning, Limit: restoreLimit})
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	for _, r := range runs {
		id := reaper.Identity{PID: r.AgentPID, StartTime: uint64(r.AgentStartTime)}
		if !id.Alive() {
			continue
		}
		log := o.log.With("issue_id", r.IssueID, "issue_identifier", r.IssueIdentifier, "repo_key", r.RepoKey, "run_id", r.ID, "pid", r.AgentPID)
		log.Warn("the previous process's agent is still running; ending it")
		if err := reaper.End(id, predecessorAgentTimeout); err != nil {
			log.Error("could not end the previous process's agent; its workspace stays locked while it lives", "error", err.Error())
		}
	}
	return nil
}

func (o *Orchestrator) restoreBudgetHolds(ctx context.Context) error {
	if o.s.TokensPerIssue <= 0 && o.s.DollarsPerIssue <= 0 {
		return nil
	}
	runs, err := o.d.Store.Runs(ctx, store.RunFilter{Status: store.StatusBudgetExhausted, Limit: restoreLimit})
	if err != nil {
		return fmt.Errorf("orchestrator restore: %w", err)
	}
	for _, r := range runs {
		if _, done := o.held[r.IssueID]; done {
			continue
		}
		used, err := o.d.Store.IssueUsage(ctx, r.RepoKey, r.IssueID)
		if err != nil {
			return fmt.Errorf("orchestrator restore: %w", err)
		}
		if o.s.TokensPerIssue > 0 && used.Total >= o.s.TokensPerIssue {
			o.hold(r.IssueID, r.IssueIdentifier, r.RepoKey, budgetHoldReason)
			continue
		}
		cost, err := o.d.Store.IssueCost(ctx, r.RepoKey, r.IssueID)
		if err != nil {
			return fmt.Errorf("orchestrator restore: %w", err)
		}
		if o.s.DollarsPerIssue > 0 && cost >= o.s.DollarsPerIssue {
			o.hold(r.IssueID, r.IssueIdentifier, r.RepoKey, dollarHoldReason)
		}
	}
	return nil
}
