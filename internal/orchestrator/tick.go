package orchestrator

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

func (o *Orchestrator) startTimers() {
	o.send(msgTick{})
	o.armWatchdog()
}

// armWatchdog schedules the next watchdog tick while the watchdog is enabled and something
// runs; dispatch arms it again, so an idle service has no watchdog wake-ups.
func (o *Orchestrator) armWatchdog() {
	o.stopTimer(o.dogTimer)
	o.dogTimer = nil
	if o.s.Watchdog.Enabled && !o.stopping && len(o.running) > 0 {
		o.dogTimer = o.clock.AfterFunc(o.s.Watchdog.Tick, func() { o.send(msgWatchdog{}) })
	}
}

// tickInterval staggers per-route polls: with n routes each is polled once per interval.
func (o *Orchestrator) tickInterval() time.Duration {
	if n := len(o.s.Routes); n > 1 {
		return o.s.PollInterval / time.Duration(n)
	}
	return o.s.PollInterval
}

func (o *Orchestrator) onTick() {
	if o.stopping {
		return
	}
	o.tickTimer = o.clock.AfterFunc(o.tickInterval(), func() { o.send(msgTick{}) })
	o.checkStalls()
	o.rollDay(o.clock.Now())
	var routes []tracker.Route
	reconcile := true
	if len(o.s.Routes) > 1 {
		i := o.routeNext % len(o.s.Routes)
		o.routeNext = i + 1
		routes = o.s.Routes[i : i+1]
		reconcile = i == 0
	}
	o.startPoll(routes, reconcile)
}

// startPoll runs one poll in its own goroutine unless one is already running; routes nil
// means every configured route (or the whole tracker when there are none).
func (o *Orchestrator) startPoll(routes []tracker.Route, reconcile bool) {
	if o.polling {
		return
	}
	o.polling = true
	var ids []string
	if reconcile {
		ids = o.refreshIDs()
	}
	if routes == nil && len(o.s.Routes) > 0 {
		routes = o.s.Routes
	}
	checks, acceptBots := o.replyChecks(), o.s.HumanInput.AcceptBotReplies
	go o.poll(routes, reconcile, ids, checks, acceptBots, o.s.TrackerTimeout)
}

// refreshIDs are the issues reconciliation re-reads: running, watching and completed ones
// that are not waiting for a retry (the retry path reads those itself). Pull-request runs
// are left out: their synthetic issues are not the tracker's.
func (o *Orchestrator) refreshIDs() []string {
	ids := make([]string, 0, len(o.running)+len(o.watching)+len(o.completed))
	for id, e := range o.running {
		if e.pr == nil {
			ids = append(ids, id)
		}
	}
	for _, m := range []map[string]WatchingRow{o.watching, o.completed} {
		for id := range m {
			if o.retries[id] == nil && o.running[id] == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// poll gives each tracker call its own timeout, so a hung refresh cannot starve the candidate
// fetch that follows it. It runs off the loop, so it is handed what it needs of the settings
// rather than reading o.s, which a reload may replace meanwhile.
func (o *Orchestrator) poll(routes []tracker.Route, reconcile bool, ids []string, checks []replyCheck, acceptBots bool, timeout time.Duration) {
	call := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), timeout)
	}
	start := o.clock.Now()
	m := msgPoll{reconcile: reconcile, refreshIDs: ids}
	if reconcile && len(ids) > 0 {
		ctx, cancel := call()
		m.refreshed, m.refreshErr = o.d.Tracker.FetchIssueStatesByIDs(ctx, ids)
		cancel()
	}
	m.replies = o.findReplies(checks, acceptBots, timeout)
	m.disk = o.d.Workspaces.CheckDisk()
	m.preflight = o.d.Preflight()
	if m.preflight == nil {
		if len(routes) == 0 {
			ctx, cancel := call()
			c, err := o.d.Tracker.FetchCandidates(ctx)
			cancel()
			m.all, m.fetchErr = &c, err
		} else {
			m.routes = map[string][]issue.Issue{}
			for _, r := range routes {
				ctx, cancel := call()
				list, err := o.d.Tracker.FetchRouteCandidates(ctx, r.Key)
				cancel()
				if err != nil {
					m.fetchErr = err
					break
				}
				m.routes[r.Key] = list
			}
		}
	}
	m.took = o.clock.Now().Sub(start)
	o.send(m)
}

func (o *Orchestrator) onPoll(m msgPoll) {
	o.polling = false
	o.d.Observer.OnPoll(m.took, m.refreshErr != nil || m.preflight != nil || m.fetchErr != nil)
	o.lastPollAt = o.clock.Now()
	if m.reconcile {
		o.reconcile(m.refreshIDs, m.refreshed, m.refreshErr)
	}
	o.diskBlock = ""
	if m.disk.PauseDispatch {
		o.diskBlock = m.disk.Reason
	}
	o.preflightBlock = ""
	if m.preflight != nil {
		o.preflightBlock = m.preflight.Error()
		o.log.Error("dispatch preflight failed; skipping dispatch this tick", "error", m.preflight.Error())
		o.afterPoll()
		return
	}
	if m.fetchErr != nil {
		o.lastPollErr = m.fetchErr.Error()
		o.log.Warn("candidate poll failed; keeping current work", "error", m.fetchErr.Error())
		o.afterPoll()
		return
	}
	o.lastPollErr = ""
	cands := o.mergePoll(m)
	o.conflicts = o.conflicts[:0:0]
	for _, c := range cands.Conflicts {
		o.conflicts = append(o.conflicts, ConflictRow{IssueID: c.ID, Identifier: c.Identifier, RepoKeys: c.ConflictRepoKeys})
	}
	o.releaseHolds(m, cands.Dispatchable)
	o.onReplies(m.replies)
	o.refreshQueued(m, cands.Dispatchable)
	if m.all != nil || len(o.routeCache) == len(o.s.Routes) {
		// Until every route has answered once, an issue two routes match would look routed
		// to the first one polled. fillSlots dispatches from these once the message is handled.
		o.learnCandidates(cands.Dispatchable)
		o.startGate()
	}
	o.afterPoll()
}

// afterPoll starts the poll an operator asked for while another one was running.
func (o *Orchestrator) afterPoll() {
	if o.refreshWant && !o.stopping {
		o.refreshWant = false
		o.startPoll(nil, true)
	}
}

// mergePoll updates the per-route cache and aggregates every route's latest candidates.
func (o *Orchestrator) mergePoll(m msgPoll) tracker.Candidates {
	if m.all != nil {
		return *m.all
	}
	for key, list := range m.routes {
		o.routeCache[key] = list
	}
	results := make([]tracker.RouteResult, 0, len(o.s.Routes))
	for _, r := range o.s.Routes {
		results = append(results, tracker.RouteResult{Route: r, Issues: o.routeCache[r.Key]})
	}
	return tracker.Aggregate(results)
}

// releaseHolds forgets operator stops and budget holds of issues that have left the active
// candidates of the polled routes, so a later reopen dispatches again.
func (o *Orchestrator) releaseHolds(m msgPoll, active []issue.Issue) {
	present := make(map[string]bool, len(active))
	for _, is := range active {
		present[is.ID] = true
	}
	for id, h := range o.held {
		polled := m.all != nil
		if !polled {
			_, polled = m.routes[h.RepoKey]
		}
		if polled && !present[id] {
			o.unhold(id)
		}
	}
}

// reconcile applies a refresh of running, watching and completed issues (SPEC §8.5, §16.2).
// A failed refresh keeps everything as it is; ids missing from the answer and rows without a
// state are treated as no news, never as a reason to stop work.
func (o *Orchestrator) reconcile(asked []string, refreshed []issue.Issue, err error) {
	if err != nil {
		o.log.Warn("tracker refresh failed; keeping workers running", "error", err.Error())
		return
	}
	answered := make(map[string]bool, len(refreshed))
	for _, r := range refreshed {
		answered[r.ID] = true
	}
	for _, id := range asked {
		if !answered[id] && o.running[id] == nil {
			delete(o.watching, id)
			delete(o.completed, id)
		}
	}
	for _, r := range refreshed {
		if r.ID == "" || r.State == "" {
			continue
		}
		if e := o.running[r.ID]; e != nil {
			o.reconcileRunning(e, r)
			continue
		}
		o.reconcileWatching(r)
	}
}

func (o *Orchestrator) reconcileRunning(e *runEntry, r issue.Issue) {
	switch {
	case e.handedOffTo != "" && issue.NormalizeState(r.State) == issue.NormalizeState(e.handedOffTo) && !o.s.isTerminal(r.State):
		// The agent handed the issue off itself; the worker sees the new state after the
		// turn and ends the attempt as a success.
		e.issue.State = r.State
	case o.s.isTerminal(r.State):
		o.stop(e, StopTerminal, "issue moved to "+r.State)
	case !o.s.isActive(r.State):
		o.stop(e, StopInactive, "issue moved to "+r.State)
	case !r.AssignedToWorker:
		o.stop(e, StopInactive, "issue is no longer assigned to this worker")
	default:
		r.RepoKey = e.issue.RepoKey
		e.issue = r
	}
	if e.stopReason == StopInactive || e.stopReason == StopTerminal {
		e.issue.State = r.State
	}
}

func (o *Orchestrator) reconcileWatching(r issue.Issue) {
	meta, ok := o.watching[r.ID]
	if !ok {
		meta, ok = o.completed[r.ID]
	}
	if !ok {
		return
	}
	switch {
	case o.s.isTerminal(r.State):
		delete(o.watching, r.ID)
		delete(o.completed, r.ID)
		done := r
		done.RepoKey = meta.RepoKey
		o.notice("issue_completed", done, nil, "issue moved to "+r.State, nil)
	case o.s.isActive(r.State):
		delete(o.watching, r.ID)
	default:
		meta.State = r.State
		if r.URL != "" {
			meta.URL = r.URL
		}
		o.watching[r.ID] = meta
	}
}

// checkStalls kills attempts whose agent has not reported a single event within the stall
// timeout (SPEC §8.5 part A).
func (o *Orchestrator) checkStalls() {
	if o.s.StallTimeout <= 0 {
		return
	}
	now := o.clock.Now()
	for _, e := range o.running {
		if !e.sawEvent && now.Sub(e.startedAt) > o.s.StallTimeout {
			o.stop(e, StopStalled, "no agent event within agent.timeouts.stall_ms")
		}
	}
}

// onWatchdog stops sessions without any event for the no-progress threshold (SPEC §8.5 C).
func (o *Orchestrator) onWatchdog() {
	o.armWatchdog()
	if !o.s.Watchdog.Enabled || o.stopping {
		return
	}
	now := o.clock.Now()
	for _, e := range o.running {
		if now.Sub(e.lastEventAt) >= o.s.Watchdog.Threshold {
			o.stop(e, StopStuck, "no agent event for "+now.Sub(e.lastEventAt).String())
		}
	}
}
