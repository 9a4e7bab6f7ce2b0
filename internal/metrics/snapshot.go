package metrics

import "github.com/prometheus/client_golang/prometheus"

// The scheduler gauges, computed from the published snapshot at each scrape so the loop
// does nothing for them.
var (
	runningDesc = prometheus.NewDesc("symphony_running_issues",
		"Issues with an attempt in progress.", nil, nil)
	queuedDesc = prometheus.NewDesc("symphony_queued_issues",
		"Eligible issues waiting for a free agent slot.", nil, nil)
	retryingDesc = prometheus.NewDesc("symphony_retrying_issues",
		"Issues scheduled to run again, by kind (retry after a failure, continuation after a normal exit).", []string{"kind"}, nil)
	watchingDesc = prometheus.NewDesc("symphony_watching_issues",
		"Finished issues parked in a non-active, non-terminal state (handed off).", nil, nil)
	heldDesc = prometheus.NewDesc("symphony_held_issues",
		"Issues not dispatched: stopped by the operator, out of budget or waiting for a human.", nil, nil)
	conflictingDesc = prometheus.NewDesc("symphony_conflicting_issues",
		"Issues matched by several repository routes, which are never dispatched.", nil, nil)
	pausedDesc = prometheus.NewDesc("symphony_dispatch_paused",
		"1 while the operator has paused new dispatch, else 0.", nil, nil)
	blockedDesc = prometheus.NewDesc("symphony_dispatch_blocked",
		"1 while anything holds new dispatch (operator pause, disk guard, daily budget, failed preflight), else 0.", nil, nil)
	slotsDesc = prometheus.NewDesc("symphony_agent_slots",
		"The global limit of concurrent agents in force (agent.concurrency.max_total).", nil, nil)
	dailyTokensDesc = prometheus.NewDesc("symphony_daily_tokens",
		"Gross tokens used so far in the current UTC day.", nil, nil)
	dailyBudgetDesc = prometheus.NewDesc("symphony_daily_token_budget",
		"The daily token budget (agent.limits.tokens_per_day); absent when none is set.", nil, nil)
	dailyRemainingDesc = prometheus.NewDesc("symphony_daily_token_budget_remaining",
		"Tokens left in the daily budget before new dispatch pauses; absent when no budget is set.", nil, nil)
	issueBudgetDesc = prometheus.NewDesc("symphony_issue_token_budget",
		"The per-issue token cap (agent.limits.tokens_per_issue); absent when none is set.", nil, nil)
	lastPollDesc = prometheus.NewDesc("symphony_last_poll_timestamp_seconds",
		"Unix time at which the last poll's result reached the scheduler; absent before the first poll.", nil, nil)
	auditQueueDesc = prometheus.NewDesc("symphony_audit_queue_depth",
		"Audit records queued by the scheduler and not yet appended to the audit log.", nil, nil)
	awaitingDesc = prometheus.NewDesc("symphony_awaiting_clarification_issues",
		"Candidates the issue gate holds until their author answers its questions.", nil, nil)
	skippedDesc = prometheus.NewDesc("symphony_skipped_issues",
		"Candidates the issue gate skipped until their content or comments change.", nil, nil)
	storeQueueDesc = prometheus.NewDesc("symphony_store_queue_depth",
		"Run store writes queued by the scheduler and not yet performed.", nil, nil)
	hostHealthyDesc = prometheus.NewDesc("symphony_worker_host_healthy",
		"1 while the SSH worker host is in service, 0 while it is out of service after a failed connection; absent without worker hosts.", []string{"host"}, nil)
	hostRunningDesc = prometheus.NewDesc("symphony_worker_host_running_agents",
		"Agents running on the SSH worker host; absent without worker hosts.", []string{"host"}, nil)
)

// Kinds of symphony_retrying_issues.
const (
	retryKindRetry        = "retry"
	retryKindContinuation = "continuation"
)

// snapshotCollector reads the gauges from the watched Source.
type snapshotCollector struct{ m *Metrics }

func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{runningDesc, queuedDesc, retryingDesc, watchingDesc, heldDesc, conflictingDesc,
		pausedDesc, blockedDesc, slotsDesc, dailyTokensDesc, dailyBudgetDesc, dailyRemainingDesc, issueBudgetDesc,
		lastPollDesc, auditQueueDesc, storeQueueDesc, awaitingDesc, skippedDesc, hostHealthyDesc, hostRunningDesc} {
		ch <- d
	}
}

func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	src := c.m.source.Load()
	if src == nil {
		return
	}
	audit, store := (*src).PendingWrites()
	gauge(ch, auditQueueDesc, float64(audit))
	gauge(ch, storeQueueDesc, float64(store))
	s := (*src).Snapshot()
	if s == nil {
		return
	}
	retries, continuations := 0, 0
	for _, r := range s.Retrying {
		if r.Continuation {
			continuations++
		} else {
			retries++
		}
	}
	gauge(ch, runningDesc, float64(len(s.Running)))
	gauge(ch, queuedDesc, float64(len(s.Queued)))
	gauge(ch, retryingDesc, float64(retries), retryKindRetry)
	gauge(ch, retryingDesc, float64(continuations), retryKindContinuation)
	gauge(ch, watchingDesc, float64(len(s.Watching)))
	gauge(ch, heldDesc, float64(len(s.Held)))
	gauge(ch, conflictingDesc, float64(len(s.Conflicts)))
	gauge(ch, awaitingDesc, float64(len(s.AwaitingClarification)))
	gauge(ch, skippedDesc, float64(len(s.Skipped)))
	gauge(ch, pausedDesc, flag(s.Paused))
	gauge(ch, blockedDesc, flag(len(s.DispatchBlocked) > 0))
	gauge(ch, slotsDesc, float64(s.MaxAgents))
	gauge(ch, dailyTokensDesc, float64(s.DailyTokens))
	if s.TokensPerDay > 0 {
		gauge(ch, dailyBudgetDesc, float64(s.TokensPerDay))
		gauge(ch, dailyRemainingDesc, float64(max(s.TokensPerDay-s.DailyTokens, 0)))
	}
	if s.TokensPerIssue > 0 {
		gauge(ch, issueBudgetDesc, float64(s.TokensPerIssue))
	}
	if !s.LastPollAt.IsZero() {
		gauge(ch, lastPollDesc, float64(s.LastPollAt.UnixNano())/1e9)
	}
	for _, h := range s.Hosts {
		gauge(ch, hostHealthyDesc, flag(h.Healthy), h.Host)
		gauge(ch, hostRunningDesc, float64(h.Running), h.Host)
	}
}

var _ prometheus.Collector = (*snapshotCollector)(nil)

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
