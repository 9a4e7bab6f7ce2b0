package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
)

// Codes a pull-request run is refused with before it starts.
const (
	RefusedPaused         = "paused"
	RefusedAlreadyRunning = "already_running"
)

// Refusal is why RunPR did not start a run.
type Refusal struct {
	Code    string
	Message string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

// prState is the state a pull-request run's synthetic issue reports.
const prState = "In Progress"

// PRIssue is the synthetic issue a pull-request run is recorded under: id pr:<repo>:<n>,
// identifier PR-<n>.
func PRIssue(repoKey string, pr prompt.PullRequest) issue.Issue {
	return issue.Issue{ID: fmt.Sprintf("pr:%s:%d", repoKey, pr.Number), Identifier: fmt.Sprintf("PR-%d", pr.Number),
		Title: pr.Title, State: prState, URL: pr.URL, RepoKey: repoKey}
}

// RunPR works one turn on an existing pull request's head branch through the worker the
// service uses, without touching the tracker, and never retries. It is refused while
// dispatch is paused or while a run of the same pull request is unfinished. The caller has
// already checked that the pull request is open and not from a fork.
func RunPR(ctx context.Context, deps Deps, repoKey string, pr prompt.PullRequest, timeout time.Duration) (Result, error) {
	d, err := deps.check()
	if err != nil {
		return Result{}, err
	}
	is := PRIssue(repoKey, pr)
	pause, err := d.Store.Pause(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("pr: reading the pause state: %w", err)
	}
	if pause.Paused {
		return Result{}, &Refusal{Code: RefusedPaused, Message: fmt.Sprintf("dispatch is paused (%s); resume before running %s", pause.Reason, is.Identifier)}
	}
	running, err := d.Store.Runs(ctx, store.RunFilter{Issue: is.ID, Status: store.StatusRunning, Limit: 1})
	if err != nil {
		return Result{}, fmt.Errorf("pr: reading the runs of %s: %w", is.Identifier, err)
	}
	if len(running) > 0 {
		return Result{}, &Refusal{Code: RefusedAlreadyRunning, Message: fmt.Sprintf("run %s of %s (%s) has not finished", running[0].ID, is.Identifier, pr.URL)}
	}
	rec, stopRec := startRecorder(d)
	defer stopRec()
	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	if timeout > 0 {
		t := d.Clock.AfterFunc(timeout, func() {
			cancelRun(&stopError{Reason: StopTimeout, Detail: "the --timeout of " + timeout.String() + " expired"})
		})
		defer t.Stop()
	}
	pool, err := hostPool(d.Settings)
	if err != nil {
		return Result{}, fmt.Errorf("pr: %w", err)
	}
	host, err := oneShotHost(pool, "")
	if err != nil {
		return Result{}, fmt.Errorf("pr: %w", err)
	}
	job := attemptJob{issue: is, settings: d.Settings, pr: &pr, host: host}
	ar := runOneAttempt(runCtx, d, &worker{d: d, rec: rec}, rec, job)
	res := Result{Issue: is, Attempts: 1, Turns: ar.Turns, Tokens: ar.Usage, Err: ar.Err, Outcome: OutcomeSuccess}
	switch {
	case ar.Err == nil:
	case stopReasonOf(ar.Err) == StopTimeout || errors.Is(context.Cause(runCtx), context.DeadlineExceeded):
		res.Outcome = OutcomeTimeout
	default:
		res.Outcome = OutcomeFailed
	}
	return res, nil
}
