package orchestrator

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/workspace"
)

// sessionStopTimeout bounds session.Stop and the after_run hook context after an attempt ends;
// the hook runner applies its own hooks.timeout_ms inside it.
const sessionStopTimeout = 2 * time.Minute

// attemptJob is one worker attempt on one issue.
type attemptJob struct {
	runID   string
	issue   issue.Issue
	attempt int
	// knownTokens is the issue's lifetime usage as the loop counted it; it covers usage of
	// earlier attempts whose store writes may still be queued.
	knownTokens int64
	// knownCostUSD is the same for the issue's cost in US dollars.
	knownCostUSD float64
	// settings are the ones in force at dispatch; a reload does not change a running attempt.
	settings Settings
	// pr makes the attempt an explicit pull-request run: its workspace is on the PR's head,
	// the tracker is not touched and exactly one turn runs.
	pr *prompt.PullRequest
	// answer is the human reply that ended the issue's wait for input; its first prompt
	// carries it.
	answer *prompt.HumanAnswer
	// resume is the conversation the agent kept when it asked; the session continues it.
	resume *agent.KeptThread
	// host is the worker host the attempt runs on; "" for this machine.
	host string
}

// attemptResult is how an attempt ended. Err is nil for a normal exit; a stop carries a
// *stopError.
type attemptResult struct {
	Err       error
	Issue     issue.Issue
	Turns     int
	SessionID string
	Workspace string
	Usage     agent.TokenUsage
	// CostUSD is what the attempt's tokens cost in US dollars.
	CostUSD float64
	// ToolCalls and ToolFailures count the scoped tool calls the attempt made and how many
	// of them failed.
	ToolCalls, ToolFailures int
	// Asked is the question the agent asked a human; the attempt ended to wait for the reply.
	Asked *agent.HumanQuestion
	// Kept is the conversation the session kept for the attempt after the reply, when it
	// asked a question and its runtime can keep one.
	Kept *agent.KeptThread
	// ReviewerTokens is the part of the attempt's tokens the pre-push reviewer used.
	ReviewerTokens int64
	// TurnStarted says a turn was sent to the agent, so the workspace may have changed.
	TurnStarted bool
}

// workerUpdate is a progress report from a running attempt.
type workerUpdate struct {
	runID     string
	issueID   string
	workspace string
	pid       int
	// pidStart is the agent process's start time (/proc/<pid>/stat field 22).
	pidStart  uint64
	sessionID string
	event     *agent.Event
	// eventSeq numbers event in its session's order (eventSink.seq).
	eventSeq uint64
	// progress, instead of event, carries the session's newest progress-only event, taken
	// when the loop handles the message.
	progress *progressSlot
	// baseTokens is the issue's lifetime usage before this attempt, read from the store.
	baseTokens  int64
	baseCostUSD float64
	hasBase     bool
	turn        int
	// turnTook is how long the completed turn took.
	turnTook time.Duration
	issue    *issue.Issue
}

// worker runs attempts. It holds no scheduling state; everything it learns goes to report.
type worker struct {
	d   Deps
	rec *recorder
	// transcripts keeps each issue's recent events for the API; nil (RunOnce) keeps none.
	transcripts *transcripts
}

// run executes one attempt: workspace, before_run, agent session, tracker bootstrap, turns,
// after_run. ctx is cancelled with a *stopError cause when the orchestrator stops the attempt.
func (w *worker) run(ctx context.Context, cancel context.CancelCauseFunc, job attemptJob, report func(workerUpdate)) (res attemptResult) {
	iss := job.issue
	res.Issue = iss
	log := w.d.Logger.With("issue_id", iss.ID, "issue_identifier", iss.Identifier, "repo_key", iss.RepoKey, "run_id", job.runID)

	base, err := w.d.Store.IssueUsage(ctx, iss.RepoKey, iss.ID)
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("reading the issue's token usage: %w", err))
		return res
	}
	base.Total = max(base.Total, job.knownTokens)
	baseCost, err := w.d.Store.IssueCost(ctx, iss.RepoKey, iss.ID)
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("reading the issue's cost: %w", err))
		return res
	}
	baseCost = max(baseCost, job.knownCostUSD)
	report(workerUpdate{runID: job.runID, issueID: iss.ID, baseTokens: base.Total, baseCostUSD: baseCost, hasBase: true})
	if capTokens := job.settings.TokensPerIssue; capTokens > 0 && base.Total >= capTokens {
		res.Err = &stopError{Reason: StopBudget, Detail: fmt.Sprintf("issue has used %d tokens, at or over agent.limits.tokens_per_issue %d", base.Total, capTokens)}
		return res
	}
	if capUSD := job.settings.DollarsPerIssue; capUSD > 0 && baseCost >= capUSD {
		res.Err = &stopError{Reason: StopBudget, Detail: fmt.Sprintf("issue has cost $%v, at or over agent.limits.dollars_per_issue %v", baseCost, capUSD)}
		return res
	}

	// The lock comes first, so not even workspace population touches a workspace another
	// agent (of this service before a restart, or of another service) still works in. It is
	// released after after_run; the agent's supervisor keeps its own hold until the agent
	// tree is gone.
	spaces, err := w.d.WorkspacesOn(job.host)
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("workspace: %w", err))
		return res
	}
	lock, err := spaces.Lock(iss.RepoKey, iss.Identifier)
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("workspace: %w", err))
		return res
	}
	defer lock.Close()
	rc := w.runContext(ctx, job, log)
	ws, err := w.ensureWorkspace(ctx, spaces, job, rc.HeadRef, log)
	if err == nil {
		err = spaces.Validate(ws)
	}
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("workspace: %w", err))
		return res
	}
	res.Workspace = ws.Path
	report(workerUpdate{runID: job.runID, issueID: iss.ID, workspace: ws.Path})
	var hookEnv map[string]string
	var verify Verification
	if w.d.Verifier != nil {
		if verify, err = w.d.Verifier.Acquire(ctx, job.runID, iss); err != nil {
			res.Err = causeOr(ctx, fmt.Errorf("verification: %w", err))
			return res
		}
		// Deferred first, so it runs last: after after_run, whatever the exit path.
		defer verify.Close()
		hookEnv = verify.Env()
	}
	if err := spaces.BeforeRun(ctx, ws, hookEnv); err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("before_run hook: %w", err))
		return res
	}
	defer afterRun(spaces, ws, hookEnv)
	if verify != nil {
		if err := verify.StartServer(ctx, ws.Path); err != nil {
			res.Err = causeOr(ctx, fmt.Errorf("verification: %w", err))
			return res
		}
	}

	sink := w.sink(cancel, job, base.Total, baseCost, report)
	// Deferred before the session's stop, so they run after the last event is in.
	defer sink.flushSummary()
	session, err := w.d.NewAgent(AgentRequest{RunID: job.runID, Issue: iss, Workspace: ws, Lock: lock, Attempt: job.attempt,
		Host: job.host, Env: envList(hookEnv), Events: sink.observe, Resume: job.resume})
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("agent session: %w", err))
		return res
	}
	defer w.stopSession(session, log)
	err = session.Start(ctx)
	w.noteResume(job, session, err, log)
	if err != nil {
		res.Err = causeOr(ctx, fmt.Errorf("agent session startup: %w", err))
		return res
	}
	if pid := session.PID(); pid != 0 {
		report(w.agentStarted(job.runID, iss.ID, pid, lock, log))
	}

	if job.pr == nil {
		iss, err = w.bootstrap(ctx, job.settings, iss, job.runID)
		if err != nil {
			res.Err = causeOr(ctx, fmt.Errorf("tracker bootstrap: %w", err))
			return res
		}
	}
	res.Issue = iss
	bootstrapped := iss
	report(workerUpdate{runID: job.runID, issueID: iss.ID, issue: &bootstrapped})
	defer func() {
		res.Usage = session.Usage()
		res.ToolCalls, res.ToolFailures = sink.toolCounts()
		res.CostUSD = sink.attemptCost()
		res.Asked = sink.question()
		if res.Asked != nil || agent.CodeOf(res.Err) == agent.CodeTurnInputRequired {
			res.Kept = w.keepThread(job, session, log)
		}
	}()

	var attemptNo *int
	if job.attempt > 0 {
		attemptNo = &job.attempt
	}
	maxTurns := job.settings.MaxTurns
	reviewer := w.newPrePush(job, ws, lock, sink.observe, log)
	if reviewer != nil {
		defer func() { res.ReviewerTokens = reviewer.reviewerTokens() }()
	}
	// reviewed is what the pre-push reviewer tells the executor next, instead of the
	// continuation prompt.
	var reviewed string
	for turn := 1; ; turn++ {
		text, err := w.d.Prompts.Prompt(PromptInput{Issue: iss, Workspace: ws.Path, Attempt: attemptNo, Turn: turn, MaxTurns: maxTurns, PR: job.pr,
			Context: rc, HumanAnswer: job.answer})
		if err != nil {
			res.Err = causeOr(ctx, fmt.Errorf("prompt for turn %d: %w", turn, err))
			return res
		}
		if reviewed != "" {
			text = reviewed
		}
		text = reviewer.gatePrompt(text)
		w.rec.appendPrompt(issueEvent(w.d.Clock.Now(), iss, job.runID, res.SessionID, audit.EventPromptSent, map[string]any{"turn": turn}), text)
		turnStart := w.d.Clock.Now()
		res.TurnStarted = true
		result, err := session.RunTurn(ctx, text)
		turnTook := w.d.Clock.Now().Sub(turnStart)
		if err == nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			res.Err = causeOr(ctx, fmt.Errorf("turn %d: %w", turn, err))
			return res
		}
		res.Turns, res.SessionID = turn, result.SessionID
		if job.pr != nil {
			log.Info("pull-request run ends after its one turn", "session_id", result.SessionID)
			return res
		}
		if sink.question() != nil {
			log.Info("the agent asked a human a question; attempt ends to wait for the reply", "session_id", result.SessionID)
			return res
		}
		iss = w.refresh(ctx, job.settings, iss, turn, log)
		res.Issue = iss
		seen := iss
		report(workerUpdate{runID: job.runID, issueID: iss.ID, sessionID: result.SessionID, turn: turn, turnTook: turnTook, issue: &seen})
		if !job.settings.isActive(iss.State) {
			log.Info("issue left its active states; attempt ends", "session_id", result.SessionID, "state", iss.State)
			return res
		}
		if reviewer != nil {
			if reviewed, err = reviewer.afterTurn(ctx, iss); err != nil {
				res.Err = causeOr(ctx, err)
				return res
			}
		}
		if turn >= maxTurns {
			log.Info("max_turns reached; attempt ends", "session_id", result.SessionID, "turns", turn)
			return res
		}
	}
}

// ensureWorkspace is the issue's workspace, or for a pull-request run and a run a PR poller
// sent back the worktree on the PR's head (local-only work found there is kept under
// refs/symphony/orphaned first), so the agent starts from what reviewers and CI saw.
func (w *worker) ensureWorkspace(ctx context.Context, spaces Workspaces, job attemptJob, pollerHead string, log *slog.Logger) (workspace.Workspace, error) {
	head := pollerHead
	if job.pr != nil {
		head = job.pr.HeadRef
	}
	if head == "" {
		return spaces.Ensure(ctx, job.issue)
	}
	ws, saved, err := spaces.EnsurePR(ctx, job.issue, head)
	if job.pr == nil && workspace.CodeOf(err) == workspace.CodeInvalidOptions {
		// Only worktrees can be reset to the head; a clone workspace is used as it is and
		// the agent syncs it, as it would for any run.
		log.Info("the workspace cannot be reset to the pull request's head; using it as it is", "head", head, "reason", err.Error())
		return spaces.Ensure(ctx, job.issue)
	}
	for _, ref := range saved {
		log.Warn("local-only work kept before resetting the workspace to the pull request's head", "ref", ref, "head", head)
	}
	return ws, err
}

// agentStarted identifies the agent process for the run record and the lock file. The agent
// is this process's unreaped child, so its pid cannot have been reused yet.
func (w *worker) agentStarted(runID, issueID string, pid int, lock *workspace.Lock, log *slog.Logger) workerUpdate {
	u := workerUpdate{runID: runID, issueID: issueID, pid: pid}
	id, err := reaper.IdentifyChild(pid)
	if err != nil {
		log.Warn("cannot identify the agent process; a restart will not be able to check it is gone", "pid", pid, "error", err.Error())
		return u
	}
	lock.RecordAgent(pid)
	u.pidStart = id.StartTime
	return u
}

// mergeRefresh applies a by-id refresh to the worker's copy of the issue. A missing issue or
// one without a state is malformed data and leaves the known copy untouched; the route key is
// the worker's, since refreshes need not carry it.
func mergeRefresh(known issue.Issue, refreshed []issue.Issue) issue.Issue {
	for _, r := range refreshed {
		if r.ID != known.ID || r.State == "" {
			continue
		}
		r.RepoKey = known.RepoKey
		return r
	}
	return known
}

func afterRun(spaces Workspaces, ws workspace.Workspace, env map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionStopTimeout)
	defer cancel()
	spaces.AfterRun(ctx, ws, env)
}

func (w *worker) stopSession(s agent.Session, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionStopTimeout)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		log.Warn("stopping the agent session failed", "error", err.Error())
	}
}

// eventSink forwards session events and enforces the per-issue token cap inside the attempt,
// so the loop and RunOnce share one enforcement point.
type eventSink struct {
	w      *worker
	cancel context.CancelCauseFunc
	job    attemptJob
	report func(workerUpdate)

	mu      sync.Mutex
	used    int64
	usedUSD float64
	// baseUSD is the issue's cost before the attempt, so usedUSD-baseUSD is the attempt's.
	baseUSD float64
	// toolCalls and toolFailures count tool_call_completed and tool_call_failed events.
	toolCalls, toolFailures int
	// summary coalesces the streamed output deltas of the current interval.
	summary outputSummary
	// previews bounds the command output previews its audit records keep; record builders
	// use it on the recorder's goroutine, not under mu.
	previews commandPreviews
	// sessionID is the newest session id the agent reported.
	sessionID string
	// seq numbers the events handed to the loop, so it can tell the newest.
	seq      uint64
	progress progressSlot
	// asked is the question the agent asked a human in this attempt.
	asked *agent.HumanQuestion
}

// question returns the question the agent asked a human, or nil.
func (s *eventSink) question() *agent.HumanQuestion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}

// attemptCost returns what the attempt's tokens have cost so far, in US dollars.
func (s *eventSink) attemptCost() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usedUSD - s.baseUSD
}

// toolCounts returns how many tool calls the attempt made and how many failed.
func (s *eventSink) toolCounts() (calls, failures int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.toolCalls, s.toolFailures
}

func (w *worker) sink(cancel context.CancelCauseFunc, job attemptJob, base int64, baseUSD float64, report func(workerUpdate)) *eventSink {
	return &eventSink{w: w, cancel: cancel, job: job, report: report, used: base, usedUSD: baseUSD, baseUSD: baseUSD}
}

func (s *eventSink) observe(ev agent.Event) {
	// The loop reads the event after this callback returns, when Raw is no longer valid.
	raw := ev.Raw
	ev.Raw = nil
	iss := &s.job.issue
	if ev.Kind == agent.EventTokenUsage && ev.UsageDelta != nil {
		// Priced once here, so the loop, the store and the metrics all count the same dollars.
		usd := costOf(s.job.settings.Pricing, ev)
		ev.CostUSD = &usd
	}
	if u, send := s.toLoop(&ev); send {
		s.report(u)
	}
	if isStreamedOutput(ev) {
		s.coalesce(ev, raw)
		return
	}
	if ev.Kind == agent.EventHumanInputRequested && ev.Question != nil {
		q := *ev.Question
		s.mu.Lock()
		s.asked = &q
		s.mu.Unlock()
		return
	}
	if ev.Kind == agent.EventToolCallCompleted || ev.Kind == agent.EventToolCallFailed {
		s.mu.Lock()
		s.toolCalls++
		if ev.Kind == agent.EventToolCallFailed {
			s.toolFailures++
		}
		s.mu.Unlock()
		return
	}
	if ev.Kind == agent.EventToolCall || ev.Activity != nil {
		// Only what the record needs is kept.
		act, at, sessionID, runID := ev.Activity, ev.Time, ev.SessionID, s.job.runID
		s.w.rec.appendAuditFrom(func() (audit.Event, bool) {
			rec, ok := agentActivity(act)
			if !ok {
				return audit.Event{}, false
			}
			if rec.typ == audit.EventCommandExecuted {
				s.previews.trim(at, &rec.command)
			}
			return rec.event(at, *iss, runID, sessionID), true
		})
		return
	}
	if ev.Kind != agent.EventTokenUsage || ev.UsageDelta == nil {
		return
	}
	delta := *ev.UsageDelta
	at := s.w.d.Clock.Now()
	s.w.rec.addUsage(usageRow(*iss, at, delta, *ev.CostUSD))
	usage := issueEvent(at, *iss, s.job.runID, ev.SessionID, audit.EventTokenUsage, nil)
	// Agents report usage several times a second; Fields spare the log a map per delta.
	usage.Fields = audit.Fields{audit.Int("delta_total_tokens", delta.Total),
		audit.Int("input_tokens", delta.UncachedInput+delta.CachedInput), audit.Int("output_tokens", delta.Output)}
	s.w.rec.appendAuditFromSession(usage)
	s.mu.Lock()
	s.used += delta.Total
	s.usedUSD += *ev.CostUSD
	used, usedUSD := s.used, s.usedUSD
	s.mu.Unlock()
	if capTokens := s.job.settings.TokensPerIssue; capTokens > 0 && used >= capTokens {
		s.cancel(&stopError{Reason: StopBudget, Detail: fmt.Sprintf("issue reached %d tokens, agent.limits.tokens_per_issue is %d", used, capTokens)})
	}
	if capUSD := s.job.settings.DollarsPerIssue; capUSD > 0 && usedUSD >= capUSD {
		s.cancel(&stopError{Reason: StopBudget, Detail: fmt.Sprintf("issue reached $%v, agent.limits.dollars_per_issue is %v", usedUSD, capUSD)})
	}
}

// refresh re-reads the issue after a turn. A failed or timed-out refresh keeps the session
// going on the last known state instead of ending a healthy attempt: the loop's
// reconciliation refreshes independently every tick and stops the attempt if the issue has
// really moved, and max_turns still bounds the turn loop.
func (w *worker) refresh(ctx context.Context, s Settings, known issue.Issue, turn int, log *slog.Logger) issue.Issue {
	rctx, cancel := context.WithTimeout(ctx, s.TrackerTimeout)
	defer cancel()
	refreshed, err := w.d.Tracker.FetchIssueStatesByIDs(rctx, []string{known.ID})
	if err != nil {
		log.Warn("issue refresh after a turn failed; continuing on the last known state", "turn", turn, "state", known.State, "error", err.Error())
		return known
	}
	return mergeRefresh(known, refreshed)
}

// toLoop keeps the event in the issue's transcript and wraps it for the loop. An event that
// only shows progress (no tokens, rate limits, hand-off or new session) goes through the
// session's progress slot, so a streaming agent has at most one such message waiting for
// the loop however fast it writes; the loop sees the newest when it gets there.
func (s *eventSink) toLoop(ev *agent.Event) (workerUpdate, bool) {
	u := workerUpdate{runID: s.job.runID, issueID: s.job.issue.ID}
	s.mu.Lock()
	newSession := ev.SessionID != "" && ev.SessionID != s.sessionID
	if ev.SessionID != "" {
		s.sessionID = ev.SessionID
	}
	sessionID := s.sessionID
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if ev.Kind != agent.EventTokenUsage && ev.Kind != agent.EventRateLimits {
		// The event's own time, when the runtime stamped one, spares a clock read per event.
		at := ev.Time
		if at.IsZero() {
			at = s.w.d.Clock.Now()
		}
		s.w.transcripts.add(s.job.issue, s.job.runID, sessionID, ev, at)
	}
	if newSession || ev.UsageDelta != nil || ev.RateLimits != nil || ev.Kind == agent.EventIssueStateChanged ||
		ev.Kind == agent.EventTokenUsage || ev.Kind == agent.EventRateLimits {
		// The loop keeps the event; only these few are copied for it.
		kept := *ev
		if kept.SessionID == "" {
			kept.SessionID = sessionID
		}
		u.event, u.eventSeq = &kept, seq
		return u, true
	}
	if !s.progress.offer(ev, seq, sessionID) {
		// A report is already on its way; it will carry this event.
		return u, false
	}
	u.progress = &s.progress
	return u, true
}
