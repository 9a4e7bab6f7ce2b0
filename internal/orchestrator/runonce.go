package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// DefaultRunRetries is how many retries RunOnce makes after a failed attempt.
const DefaultRunRetries = 3

// RunOptions tune RunOnce.
type RunOptions struct {
	// Timeout bounds the whole lifecycle, retries included; 0 means no limit.
	Timeout time.Duration
	// NoRetry makes the first failure final.
	NoRetry bool
	// MaxRetries is the number of retries after a failure; 0 means DefaultRunRetries.
	MaxRetries int
}

// Outcome is how a RunOnce lifecycle ended.
type Outcome string

// Outcomes of a RunOnce lifecycle.
const (
	OutcomeSuccess Outcome = "success"
	OutcomeFailed  Outcome = "failed"
	OutcomeTimeout Outcome = "timeout"
)

// Result reports a RunOnce lifecycle.
type Result struct {
	Outcome  Outcome
	Issue    issue.Issue
	Attempts int
	Turns    int
	Tokens   agent.TokenUsage
	// CostUSD is what the tokens of every attempt cost in US dollars.
	CostUSD float64
	// Err is the last attempt's failure; nil on success.
	Err error
}

// RunOnce works one issue through the same worker attempt the service uses, without a poll
// loop: attempts run one after another, failures are retried with the service's backoff up
// to opts.MaxRetries, and the lifecycle ends when an attempt ends normally. The returned error
// is for problems before any attempt (bad deps, unknown or inactive issue); attempt failures
// are reported in Result.
func RunOnce(ctx context.Context, deps Deps, identifier string, opts RunOptions) (Result, error) {
	d, err := deps.check()
	if err != nil {
		return Result{}, err
	}
	if opts.MaxRetries < 0 {
		return Result{}, fmt.Errorf("run: MaxRetries %d is negative", opts.MaxRetries)
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultRunRetries
	}
	if opts.NoRetry {
		opts.MaxRetries = 0
	}
	rec, stopRec := startRecorder(d)
	defer stopRec()
	w := &worker{d: d, rec: rec}

	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	if opts.Timeout > 0 {
		t := d.Clock.AfterFunc(opts.Timeout, func() {
			cancelRun(&stopError{Reason: StopTimeout, Detail: "the --timeout of " + opts.Timeout.String() + " expired"})
		})
		defer t.Stop()
	}

	// Each tracker call gets TrackerTimeout, as in the service: without --timeout, runCtx
	// alone would let a hung tracker hold the command forever.
	fetchCtx, cancelFetch := context.WithTimeout(runCtx, d.Settings.TrackerTimeout)
	is, err := d.Tracker.FetchIssueByIdentifier(fetchCtx, identifier)
	cancelFetch()
	if err != nil {
		return Result{}, fmt.Errorf("run: fetching issue %s: %w", identifier, err)
	}
	if !d.Settings.isActive(is.State) {
		return Result{}, fmt.Errorf("run: issue %s is in state %q, which is not one of the active states %v", identifier, is.State, d.Settings.ActiveStates)
	}
	if is, err = routeOf(runCtx, d, is); err != nil {
		return Result{}, err
	}
	if capTokens := d.Settings.TokensPerDay; capTokens > 0 {
		used, err := d.Store.DailyUsage(runCtx, d.Clock.Now())
		if err != nil {
			return Result{}, fmt.Errorf("run: reading today's token usage: %w", err)
		}
		if used >= capTokens {
			return Result{}, fmt.Errorf("run: today's token usage %d has reached agent.limits.tokens_per_day %d; no new run starts before the next UTC day", used, capTokens)
		}
	}

	if capUSD := d.Settings.DollarsPerDay; capUSD > 0 {
		used, err := d.Store.DailyCost(runCtx, d.Clock.Now())
		if err != nil {
			return Result{}, fmt.Errorf("run: reading today's cost: %w", err)
		}
		if used >= capUSD {
			return Result{}, fmt.Errorf("run: today's cost $%v has reached agent.limits.dollars_per_day %v; no new run starts before the next UTC day", used, capUSD)
		}
	}

	pool, err := hostPool(d.Settings)
	if err != nil {
		return Result{}, fmt.Errorf("run: %w", err)
	}
	res := Result{Issue: is}
	host := ""
	for attempt := 0; ; attempt++ {
		if host, err = oneShotHost(pool, host); err != nil {
			res.Err, res.Outcome = err, OutcomeFailed
			return res, nil
		}
		ar := runOneAttempt(runCtx, d, w, rec, attemptJob{issue: is, attempt: attempt, settings: d.Settings, host: host})
		noteOneShotFailure(pool, host, d.Clock.Now(), ar.Err)
		res.Attempts, res.Turns, res.Err = attempt+1, res.Turns+ar.Turns, ar.Err
		res.Tokens = res.Tokens.Add(ar.Usage)
		res.CostUSD += ar.CostUSD
		if ar.Issue.ID != "" {
			res.Issue = ar.Issue
		}
		switch reason := stopReasonOf(ar.Err); {
		case ar.Err == nil:
			res.Outcome = OutcomeSuccess
			return res, nil
		case reason == StopTimeout || (runCtx.Err() != nil && errors.Is(context.Cause(runCtx), context.DeadlineExceeded)):
			res.Outcome = OutcomeTimeout
			return res, nil
		case reason != "" || agent.NeedsHumanAttention(ar.Err) || attempt >= opts.MaxRetries || runCtx.Err() != nil:
			res.Outcome = OutcomeFailed
			return res, nil
		}
		delay := d.Settings.failureBackoff(attempt + 1)
		d.Logger.Warn("run: attempt failed; retrying", "issue_id", is.ID, "issue_identifier", is.Identifier,
			"repo_key", is.RepoKey, "attempt", attempt+1, "delay", delay.String(), "reason", brief(ar.Err.Error()))
		d.Logger.Debug("failure details", "issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey, "error", ar.Err.Error())
		if !sleep(runCtx, d.Clock, delay) {
			res.Err = context.Cause(runCtx)
			res.Outcome = OutcomeFailed
			if stopReasonOf(res.Err) == StopTimeout {
				res.Outcome = OutcomeTimeout
			}
			return res, nil
		}
	}
}

// startRecorder starts the writer of run records and audit events. Records are written while
// the attempt runs, as the service writes them, so a crash mid-attempt still leaves its run row
// and the audit trail of what the agent did. stop flushes them within the shutdown timeout.
func startRecorder(d Deps) (rec *recorder, stop func()) {
	rec = newRecorder(d.Logger, d.Audit, d.Store)
	recCtx, stopRec := context.WithCancel(context.Background())
	recDone := make(chan struct{})
	go func() {
		rec.run(recCtx)
		close(recDone)
	}()
	return rec, func() {
		stopRec()
		<-recDone
		flushCtx, cancel := context.WithTimeout(context.Background(), d.Settings.ShutdownTimeout)
		defer cancel()
		rec.flush(flushCtx)
		if err := d.Audit.Sync(flushCtx); err != nil {
			d.Logger.Error("run: syncing the audit log failed", "error", err.Error())
		}
	}
}

// runOneAttempt runs job (its run id is made here) and records its run and audit events.
func runOneAttempt(ctx context.Context, d Deps, w *worker, rec *recorder, job attemptJob) attemptResult {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	is, attempt := job.issue, job.attempt
	runID := store.NewRunID()
	job.runID = runID
	start := d.Clock.Now()
	run := store.Run{ID: runID, RepoKey: is.RepoKey, IssueID: is.ID, IssueIdentifier: is.Identifier, IssueTitle: is.Title,
		IssueState: is.State, Attempt: attempt, StartedAt: start, WorkerHost: job.host}
	rec.post("start run", func(c context.Context) error { _, err := d.Store.StartRun(c, run); return err })
	mode := "run"
	if job.pr != nil {
		mode = "pr"
	}
	details := map[string]any{"attempt": attempt, "mode": mode}
	if job.host != "" {
		details["worker_host"] = job.host
	}
	rec.appendAudit(issueEvent(start, is, runID, "", audit.EventRunStarted, details))
	var sessionID string
	res := w.run(actx, cancel, job, func(u workerUpdate) {
		if u.sessionID != "" {
			sessionID = u.sessionID
		}
	})
	res.Err = causeOr(actx, res.Err)
	status, errText := store.StatusSuccess, ""
	if res.Err != nil {
		errText = res.Err.Error()
		switch stopReasonOf(res.Err) {
		case StopTimeout:
			status = store.StatusTimeout
		case StopBudget:
			status = store.StatusBudgetExhausted
		default:
			status = store.StatusFailure
		}
	}
	end := d.Clock.Now()
	// A copy: the start write may still be queued, reading run.
	fin := run
	fin.Status, fin.EndedAt, fin.Error, fin.IssueState = status, end, errText, res.Issue.State
	fin.WorkspacePath, fin.SessionID, fin.Tokens, fin.RuntimeSeconds = res.Workspace, res.SessionID, storeTokens(res.Usage), end.Sub(start).Seconds()
	fin.ToolCalls, fin.ToolFailures, fin.CostUSD = res.ToolCalls, res.ToolFailures, res.CostUSD
	if fin.SessionID == "" {
		fin.SessionID = sessionID
	}
	rec.post("finish run", func(c context.Context) error { return d.Store.FinishRun(c, fin) })
	rec.appendAudit(issueEvent(end, is, runID, fin.SessionID, audit.EventRunFinished, map[string]any{"status": string(status), "turns": res.Turns}))
	// The next attempt reads the issue's token usage from the store, so this one's must be in.
	rec.drain()
	return res
}

// sleep waits d on clock and reports false when ctx ended first.
func sleep(ctx context.Context, clock Clock, d time.Duration) bool {
	fired := make(chan struct{})
	t := clock.AfterFunc(d, func() { close(fired) })
	defer t.Stop()
	select {
	case <-fired:
		return true
	case <-ctx.Done():
		return false
	}
}

// routeOf finds the repository route of an issue the way a poll would: among the current
// candidates, refusing a conflict or an issue no route selects.
func routeOf(ctx context.Context, d Deps, is issue.Issue) (issue.Issue, error) {
	ctx, cancel := context.WithTimeout(ctx, d.Settings.TrackerTimeout)
	defer cancel()
	cands, err := d.Tracker.FetchCandidates(ctx)
	if err != nil {
		return is, fmt.Errorf("run: fetching candidates to route %s: %w", is.Identifier, err)
	}
	for _, c := range cands.Conflicts {
		if c.ID == is.ID {
			return is, fmt.Errorf("run: issue %s matches several repository routes %v; narrow the routes so one applies", is.Identifier, c.ConflictRepoKeys)
		}
	}
	for _, c := range cands.Dispatchable {
		if c.ID == is.ID {
			return c, nil
		}
	}
	return is, fmt.Errorf("run: issue %s is not selected by any repository route", is.Identifier)
}
