package orchestrator

import (
	"cmp"
	"slices"
)

// publishAfter publishes after a message: at once when it changed scheduling, and otherwise
// (agent progress) at most once per SnapshotInterval, with a timer for what is held back.
func (o *Orchestrator) publishAfter(scheduling bool) {
	if scheduling || o.s.SnapshotInterval <= 0 {
		o.publish()
		return
	}
	now := o.clock.Now()
	due := o.publishedAt.Add(o.s.SnapshotInterval)
	if !now.Before(due) {
		o.publish()
		return
	}
	if o.publishTimer == nil {
		o.publishTimer = o.clock.AfterFunc(due.Sub(now), func() { o.send(msgPublish{}) })
	}
}

// publish builds a fresh immutable Snapshot. Its cost grows with running, retrying and
// watching issues, never with history or waiting candidates: the history slice is shared,
// capped at its length, and fillSlots builds a new waiting list rather than changing one.
func (o *Orchestrator) publish() {
	s := &Snapshot{
		At: o.clock.Now(), Paused: o.pause.Paused, PauseReason: o.pause.Reason, PausedSince: o.pause.Since,
		Blockers: o.shownBlockers(), TokensPerIssue: o.s.TokensPerIssue, TokensPerDay: o.s.TokensPerDay,
		DollarsPerIssue: o.s.DollarsPerIssue, DollarsPerDay: o.s.DollarsPerDay, Conflicts: o.conflicts, MaxAgents: o.s.MaxTotal,
		Tokens: o.tokens, RuntimeSeconds: o.runtimeSeconds, DailyTokens: o.dailyTokens, RateLimits: o.rateLimits,
		CostUSD: o.costUSD, DailyCostUSD: o.dailyCostUSD,
		LastPollAt: o.lastPollAt, LastPollError: o.lastPollErr,
		History: o.history[:len(o.history):len(o.history)], Queued: o.waiting[:len(o.waiting):len(o.waiting)],
		AwaitingClarification: o.gate.awaiting, Skipped: o.gate.skipped, Hosts: o.hostRows(),
	}
	for _, b := range s.Blockers {
		s.DispatchBlocked = append(s.DispatchBlocked, b.Message)
	}
	s.Running = make([]RunningRow, 0, len(o.running))
	for _, e := range o.running {
		s.Running = append(s.Running, RunningRow{
			IssueID: e.issue.ID, Identifier: e.issue.Identifier, Title: e.issue.Title, URL: e.issue.URL,
			PRURL: e.issue.PullRequestURL(), RepoKey: e.issue.RepoKey, State: e.issue.State,
			RunID: e.runID, Attempt: e.attempt, SessionID: e.sessionID, PID: e.pid, Workspace: e.workspace, Host: e.host,
			StartedAt: e.startedAt, LastEventAt: e.lastEventAt, LastEvent: e.lastEvent, LastMessage: e.lastMessage,
			Turns: e.turns, Tokens: e.tokens, CostUSD: e.costUSD, IssueCostUSD: o.issueCostUSD[e.issue.ID], StopRequested: e.stopReason,
		})
	}
	slices.SortFunc(s.Running, func(a, b RunningRow) int { return cmp.Compare(a.Identifier, b.Identifier) })
	s.Retrying = make([]RetryRow, 0, len(o.retries))
	for _, r := range o.retries {
		s.Retrying = append(s.Retrying, RetryRow{IssueID: r.issueID, Identifier: r.identifier, RepoKey: r.repoKey,
			Attempt: r.attempt, DueAt: r.dueAt, Error: r.err, Continuation: r.err == "", Host: o.hosts.last[r.issueID]})
	}
	slices.SortFunc(s.Retrying, func(a, b RetryRow) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Identifier, b.Identifier))
	})
	s.Watching = make([]WatchingRow, 0, len(o.watching))
	for _, w := range o.watching {
		s.Watching = append(s.Watching, w)
	}
	slices.SortFunc(s.Watching, func(a, b WatchingRow) int { return cmp.Compare(a.Identifier, b.Identifier) })
	s.AwaitingInput = o.awaitingRows()
	s.Held = make([]HeldRow, 0, len(o.held))
	for _, h := range o.held {
		s.Held = append(s.Held, h)
	}
	slices.SortFunc(s.Held, func(a, b HeldRow) int { return cmp.Compare(a.Identifier, b.Identifier) })
	o.snap.Store(s)
	o.publishedAt = s.At
	if o.publishTimer != nil {
		o.stopTimer(o.publishTimer)
		o.publishTimer = nil
	}
	next := make(chan struct{})
	close(*o.published.Swap(&next))
}

// shownBlockers is blockers and, while issues wait for a worker host slot, that too: it
// holds no dispatch by itself (a freed host slot goes to the next issue at once), yet
// operators must see why nothing starts.
func (o *Orchestrator) shownBlockers() []Blocker {
	out := o.blockers()
	if o.hosts.noCapacity && len(o.waiting) > 0 {
		out = append(out, Blocker{BlockerNoWorkerCapacity, "no healthy worker host has a free slot (workers.ssh_hosts)"})
	}
	return out
}

// blockers lists why new dispatch is held right now.
func (o *Orchestrator) blockers() []Blocker {
	var out []Blocker
	if o.pause.Paused {
		out = append(out, Blocker{BlockerManual, "paused by operator: " + o.pause.Reason})
	}
	if o.diskBlock != "" {
		out = append(out, Blocker{BlockerDisk, "disk guard: " + o.diskBlock})
	}
	if o.s.TokensPerDay > 0 && o.dailyTokens >= o.s.TokensPerDay {
		out = append(out, Blocker{BlockerBudget, "daily token budget reached (agent.limits.tokens_per_day)"})
	}
	if o.s.DollarsPerDay > 0 && o.dailyCostUSD >= o.s.DollarsPerDay {
		out = append(out, Blocker{BlockerBudget, "daily dollar budget reached (agent.limits.dollars_per_day)"})
	}
	if b, ok := o.quotaBlocker(); ok {
		out = append(out, b)
	}
	if o.preflightBlock != "" {
		out = append(out, Blocker{BlockerPreflight, "dispatch preflight failed: " + o.preflightBlock})
	}
	return out
}
