package prwatch

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
)

// reviewCycle is one pass of the review poller: finish any transition a crash interrupted,
// then decide for every issue in the review state.
func (p *Pollers) reviewCycle(ctx context.Context) {
	rows, err := loadRows[reviewRecord](ctx, p.d.Store, pollerReview)
	if err != nil {
		p.log.Error("review poller: reading its records failed", "error", err.Error())
		return
	}
	for _, rec := range rows {
		switch action := pendingAction(rec.Phase); action {
		case "":
		case actionCleanup:
			p.finishCleanup(ctx, rec)
		default:
			p.finishReview(ctx, rec, action)
		}
	}
	targets, err := p.discover(ctx)
	if err != nil {
		p.log.Warn("review poller: discovery failed", "error", err.Error())
		return
	}
	ciRows, err := loadRows[ciRecord](ctx, p.d.Store, pollerCI)
	if err != nil {
		p.log.Error("review poller: reading the CI records failed", "error", err.Error())
		return
	}
	for _, t := range targets {
		if ctx.Err() != nil {
			return
		}
		key := rowKey(t.iss.RepoKey, t.iss.ID)
		rec := rows[key]
		if rec == nil || (isDone(rec.Phase) && rec.PRURL != t.prURL) {
			rec = &reviewRecord{watch: watch{RepoKey: t.iss.RepoKey, IssueID: t.iss.ID, Phase: phaseWatching}}
		}
		rec.Identifier, rec.PRURL, rec.WorkerHost = t.iss.Identifier, t.prURL, t.run.WorkerHost
		if pendingAction(rec.Phase) != "" || isDone(rec.Phase) || p.d.Clock.Now().Before(rec.NextPollAt) {
			continue
		}
		ci := ciRows[key]
		p.reviewOne(ctx, rec, t, ci != nil && ci.ownsIssue())
		if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
			p.log.Error("review poller: saving a record failed", "issue", rec.Identifier, "error", err.Error())
		}
		rows[key] = rec
	}
	p.learnFromMerged(ctx, rows)
}

// reviewOne fetches one pull request's activity and acts on the decision.
func (p *Pollers) reviewOne(ctx context.Context, rec *reviewRecord, t target, ciOwned bool) {
	gh, repo, n, err := p.client(t.prURL)
	if err == nil {
		var v reviewView
		v, err = fetchReview(ctx, gh, repo, n)
		if err == nil {
			p.recovered(&rec.watch, pollerReview)
			p.decideAndAct(ctx, rec, t, gh, repo, v, ciOwned)
			return
		}
	}
	p.backoff(&rec.watch, pollerReview, err)
}

func (p *Pollers) decideAndAct(ctx context.Context, rec *reviewRecord, t target, gh GitHub, repo github.Repo, v reviewView, ciOwned bool) {
	rec.HeadRef = v.PR.HeadRef
	rec.LastActivityAt = latestActivity(v.PR, v)
	active, err := p.runActive(ctx, rec.RepoKey, rec.IssueID)
	if err == nil && active && strings.HasSuffix(rec.Phase, "_requested") {
		// The agent handed the issue back but its run has not ended: what it pushed is
		// judged once it has.
		return
	}
	switch rec.Phase {
	case requestedPhase(actionRework):
		p.settleRework(ctx, rec, t, gh, repo, v)
	case requestedPhase(actionConflict), requestedPhase(actionMerge):
		rec.Phase = phaseWatching
	}
	if err == nil {
		var paused bool
		paused, err = p.paused(ctx)
		if err == nil {
			d := decideReview(*rec, v, reviewGuards{Now: p.d.Clock.Now(), CIOwned: ciOwned, RunActive: active, Paused: paused},
				reviewRules{ReworkDelay: p.d.Settings.ReworkDelay, StaleAfter: p.d.Settings.StaleAfter, Ignored: p.ignored(v.PR)})
			p.actOnReview(ctx, rec, v, d)
			return
		}
	}
	p.log.Error("review poller: reading the store failed", "issue", rec.Identifier, "error", err.Error())
}

// ignored is the configured ignore list plus the pull request's author: the agent's own
// account opened it, so its comments are never reviewer feedback.
func (p *Pollers) ignored(pr github.PullRequest) []string {
	out := append([]string(nil), p.d.Settings.IgnoredReviewers...)
	if pr.Author != "" {
		out = append(out, lowered([]string{pr.Author})...)
	}
	return out
}

func (p *Pollers) actOnReview(ctx context.Context, rec *reviewRecord, v reviewView, d reviewDecision) {
	switch {
	case d.Cleanup:
		p.emit(pollerReview, &rec.watch, "pr_"+d.Reason, d.Row)
		rec.Phase, rec.CleanupReason, rec.PendingComments = pendingPhase(actionCleanup), d.Reason, nil
		if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
			p.log.Error("review poller: writing the pending clean-up failed; nothing was removed", "issue", rec.Identifier, "error", err.Error())
			return
		}
		p.finishCleanup(ctx, rec)
	case d.Action == "":
		rec.Phase = d.Phase
	default:
		rec.PendingComments, rec.PendingHeadSHA = nil, ""
		action, state := d.Action, p.d.Settings.ReworkState
		switch {
		case d.Escalate:
			action, state = actionEscalate, p.d.Settings.EscalateState
			rec.Error = d.Reason
		case d.Action == actionMerge:
			state = p.d.Settings.MergeState
		case d.Action == actionRework:
			rec.PendingComments, rec.PendingHeadSHA = d.Comments, v.PR.HeadSHA
		case d.Action == actionConflict:
			rec.Conflict = d.Conflict
		}
		rec.Phase, rec.TargetState = pendingPhase(action), state
		if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
			p.log.Error("review poller: writing the pending transition failed; nothing was changed", "issue", rec.Identifier, "error", err.Error())
			return
		}
		p.step(ctx, rec.Phase)
		p.finishReview(ctx, rec, action)
	}
}

// finishReview makes the tracker call of a pending transition and records its outcome.
func (p *Pollers) finishReview(ctx context.Context, rec *reviewRecord, action string) {
	if err := p.moveIssue(ctx, rec.IssueID, rec.TargetState); err != nil {
		rec.Phase, rec.Error = phaseTransitionError, err.Error()
		p.emit(pollerReview, &rec.watch, phaseTransitionError, err.Error())
	} else {
		p.step(ctx, action+"_tracker_updated")
		rec.Phase, rec.LastAction, rec.LastActionAt = requestedPhase(action), action, p.d.Clock.Now()
		kind := requestedPhase(action)
		switch action {
		case actionConflict:
			rec.ConflictRetries++
			rec.ConflictKeys = appendCapped(rec.ConflictKeys, rec.Conflict.Key, maxConflictRetries*4)
		case actionEscalate:
			rec.Phase, kind = phaseConflictEscalated, phaseConflictEscalated
		}
		p.emit(pollerReview, &rec.watch, kind, "moved to "+rec.TargetState)
	}
	if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
		p.log.Error("review poller: recording a finished transition failed; the next cycle repeats it", "issue", rec.Identifier, "error", err.Error())
	}
}

// fetchReview reads the pull request, its reviews, conversation comments and inline
// comments. Inline comments of a pull request GitHub no longer finds count as none.
func fetchReview(ctx context.Context, gh GitHub, repo github.Repo, n int) (reviewView, error) {
	pr, err := gh.PullRequest(ctx, repo, n)
	if err != nil {
		return reviewView{}, err
	}
	v := reviewView{PR: pr}
	if v.Reviews, err = gh.Reviews(ctx, repo, n); err != nil {
		return reviewView{}, err
	}
	comments, err := gh.IssueComments(ctx, repo, n, time.Time{})
	if err != nil {
		return reviewView{}, err
	}
	for _, c := range comments {
		v.Comments = append(v.Comments, Comment{ID: strconv.FormatInt(c.ID, 10), Kind: kindComment, Author: c.Author, Body: c.Body, URL: c.URL, CreatedAt: c.CreatedAt})
	}
	inline, err := gh.ReviewComments(ctx, repo, n)
	if err != nil && github.ErrorCode(err) != github.CodeNotFound {
		return reviewView{}, err
	}
	for _, c := range inline {
		v.Comments = append(v.Comments, Comment{ID: strconv.FormatInt(c.ID, 10), Kind: kindInline, Author: c.Author, Body: c.Body, URL: c.URL,
			Path: c.Path, Line: c.Line, CreatedAt: c.CreatedAt})
	}
	return v, nil
}
