package prwatch

import (
	"context"
	"slices"

	"github.com/symphony-go/symphony/internal/github"
)

// ciCycle is one pass of the CI poller: finish interrupted transitions, decide for every
// issue in the review state, and release ownership of issues whose rework run turned CI
// green.
func (p *Pollers) ciCycle(ctx context.Context) {
	rows, err := loadRows[ciRecord](ctx, p.d.Store, pollerCI)
	if err != nil {
		p.log.Error("CI poller: reading its records failed", "error", err.Error())
		return
	}
	for _, rec := range rows {
		switch action := pendingAction(rec.Phase); action {
		case "":
		case actionRerun:
			p.replayRerun(ctx, rec)
		default:
			p.finishCI(ctx, rec, action)
		}
	}
	targets, err := p.discover(ctx)
	if err != nil {
		p.log.Warn("CI poller: discovery failed", "error", err.Error())
		return
	}
	seen := map[string]bool{}
	for _, t := range targets {
		key := rowKey(t.iss.RepoKey, t.iss.ID)
		seen[key] = true
		rec := rows[key]
		if rec == nil || (isDone(rec.Phase) && rec.PRURL != t.prURL) {
			rec = &ciRecord{watch: watch{RepoKey: t.iss.RepoKey, IssueID: t.iss.ID, Phase: phaseWatching}}
		}
		rec.Identifier, rec.PRURL, rec.WorkerHost = t.iss.Identifier, t.prURL, t.run.WorkerHost
		p.ciOne(ctx, rec, true)
	}
	for key, rec := range rows {
		if !seen[key] && pendingAction(rec.Phase) == "" && rec.ownsIssue() {
			p.ciOne(ctx, rec, false)
		}
	}
}

// ciOne checks one pull request. Outside the review state it only looks for the green that
// releases ownership while a rework run works the issue.
func (p *Pollers) ciOne(ctx context.Context, rec *ciRecord, inReview bool) {
	if ctx.Err() != nil || pendingAction(rec.Phase) != "" || isDone(rec.Phase) || p.d.Clock.Now().Before(rec.NextPollAt) {
		return
	}
	defer func() {
		if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
			p.log.Error("CI poller: saving a record failed", "issue", rec.Identifier, "error", err.Error())
		}
	}()
	gh, repo, n, err := p.client(rec.PRURL)
	var v ciView
	if err == nil {
		v, err = fetchCI(ctx, gh, repo, n)
	}
	if err != nil {
		p.backoff(&rec.watch, pollerCI, err)
		return
	}
	p.recovered(&rec.watch, pollerCI)
	resetForHead(rec, v.PR.HeadSHA)
	rec.HeadRef = v.PR.HeadRef
	running, err := p.runActive(ctx, rec.RepoKey, rec.IssueID)
	if err != nil {
		p.log.Error("CI poller: reading the runs failed", "issue", rec.Identifier, "error", err.Error())
		return
	}
	paused, err := p.paused(ctx)
	if err != nil {
		p.log.Error("CI poller: reading the pause state failed", "issue", rec.Identifier, "error", err.Error())
		return
	}
	d := decideCI(*rec, v, ciGuards{Now: p.d.Clock.Now(), ReworkRunning: running, Paused: paused},
		ciRules{RetryFailedOnce: p.d.Settings.RetryFailedOnce, MaxFixAttempts: p.d.Settings.MaxFixAttempts})
	if !inReview && !d.Release {
		return
	}
	p.actOnCI(ctx, rec, gh, repo, v, d)
}

func (p *Pollers) actOnCI(ctx context.Context, rec *ciRecord, gh GitHub, repo github.Repo, v ciView, d ciDecision) {
	switch {
	case d.Cleanup:
		rec.Phase, rec.Failure = donePhase(v.PR.State), nil
	case d.Release:
		rec.FixAttempts, rec.Failure, rec.Phase = 0, nil, phaseGreen
		rec.LastAction, rec.LastActionAt = "green_deferred", p.d.Clock.Now()
		p.emit(pollerCI, &rec.watch, "ci_ownership_released", "checks green on "+v.PR.HeadSHA+" while a rework run works the issue")
	case len(d.Rerun) > 0:
		rec.PendingReruns = nil
		for _, id := range d.Rerun {
			rec.PendingReruns = append(rec.PendingReruns, pendingRerun{RunID: id, Attempt: attemptOf(v.Runs, id)})
		}
		rec.RerunSHAs = append(rec.RerunSHAs, v.PR.HeadSHA)
		rec.Phase = pendingPhase(actionRerun)
		if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
			p.log.Error("CI poller: writing the pending rerun failed; nothing was rerun", "issue", rec.Identifier, "error", err.Error())
			return
		}
		p.step(ctx, rec.Phase)
		p.finishRerun(ctx, rec, gh, repo, rec.PendingReruns)
	case d.Action != "":
		rec.Failure = ciFailure(v.PR.HeadSHA, v.Failed, p.excerpt(ctx, gh, repo, v.Failed))
		state := p.d.Settings.ReworkState
		if d.Action == actionEscalate {
			state = p.d.Settings.EscalateState
		}
		rec.Phase, rec.TargetState = pendingPhase(d.Action), state
		if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
			p.log.Error("CI poller: writing the pending transition failed; nothing was changed", "issue", rec.Identifier, "error", err.Error())
			return
		}
		p.step(ctx, rec.Phase)
		p.finishCI(ctx, rec, d.Action)
	default:
		rec.Phase = d.Phase
	}
}

// finishCI makes the tracker call of a pending CI transition and records its outcome; the
// fix count and the dispatched head are recorded only once the tracker call succeeded.
func (p *Pollers) finishCI(ctx context.Context, rec *ciRecord, action string) {
	if err := p.moveIssue(ctx, rec.IssueID, rec.TargetState); err != nil {
		rec.Phase, rec.Error = phaseTransitionError, err.Error()
		p.emit(pollerCI, &rec.watch, phaseTransitionError, err.Error())
	} else {
		p.step(ctx, action+"_tracker_updated")
		now := p.d.Clock.Now()
		rec.Phase, rec.LastAction, rec.LastActionAt = requestedPhase(action), action, now
		kind := "ci_failed"
		if action == actionEscalate {
			rec.Phase, kind = phaseEscalated, "ci_escalated"
		} else {
			rec.FixAttempts++
			if rec.Failure != nil && !slices.Contains(rec.DispatchedSHAs, rec.Failure.CommitSHA) {
				rec.DispatchedSHAs = append(rec.DispatchedSHAs, rec.Failure.CommitSHA)
			}
			rec.LastDispatchAt = now
		}
		p.emit(pollerCI, &rec.watch, kind, "moved to "+rec.TargetState)
	}
	if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
		p.log.Error("CI poller: recording a finished transition failed; the next cycle repeats it", "issue", rec.Identifier, "error", err.Error())
	}
}

// excerpt is the log excerpt of the failed Actions runs; a log that cannot be read leaves
// the excerpt without it rather than holding the fix run back.
func (p *Pollers) excerpt(ctx context.Context, gh GitHub, repo github.Repo, failed []failedCheck) string {
	var logs []string
	for _, id := range runIDs(failed) {
		jobs, err := gh.FailedJobLogs(ctx, repo, id, p.d.Settings.LogExcerptLines)
		if err != nil {
			p.log.Warn("CI poller: reading a failed job log failed", "run", id, "error", err.Error())
			continue
		}
		for _, j := range jobs {
			logs = append(logs, j.Log)
		}
	}
	return logExcerpt(logs, p.d.Settings.LogExcerptLines)
}

// fetchCI reads the pull request and the checks, statuses and Actions runs of its head.
func fetchCI(ctx context.Context, gh GitHub, repo github.Repo, n int) (ciView, error) {
	pr, err := gh.PullRequest(ctx, repo, n)
	if err != nil {
		return ciView{}, err
	}
	v := ciView{PR: pr}
	if pr.State != github.PullRequestOpen || pr.HeadSHA == "" {
		return v, nil
	}
	checks, err := gh.CheckRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return ciView{}, err
	}
	status, err := gh.CombinedStatus(ctx, repo, pr.HeadSHA)
	if err != nil {
		return ciView{}, err
	}
	runs, err := gh.WorkflowRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return ciView{}, err
	}
	v.Failed, v.Pending = classifyChecks(checks, status, runs)
	v.Runs = runs
	return v, nil
}
