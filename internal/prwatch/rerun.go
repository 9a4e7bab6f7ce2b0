package prwatch

import (
	"context"
	"slices"

	"github.com/symphony-go/symphony/internal/github"
)

// finishRerun asks GitHub to rerun the failed jobs of each run in todo and records the rerun
// as done. A run GitHub refuses is logged and left to the fix run that follows.
func (p *Pollers) finishRerun(ctx context.Context, rec *ciRecord, gh GitHub, repo github.Repo, todo []pendingRerun) {
	for _, r := range todo {
		if err := gh.RerunFailedJobs(ctx, repo, r.RunID); err != nil {
			p.log.Warn("CI poller: rerunning failed jobs failed", "issue", rec.Identifier, "run", r.RunID, "error", err.Error())
			continue
		}
		rec.noteRerun(r.RunID)
	}
	p.step(ctx, "rerun_jobs_requested")
	rec.Phase, rec.PendingReruns = phaseRerunRequested, nil
	rec.LastAction, rec.LastActionAt = actionRerun, p.d.Clock.Now()
	p.emit(pollerCI, &rec.watch, phaseRerunRequested, "head "+rec.LastObservedSHA)
	if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
		p.log.Error("CI poller: recording a finished rerun failed; the next cycle checks it again", "issue", rec.Identifier, "error", err.Error())
	}
}

// replayRerun finishes a rerun a crash interrupted: a run GitHub already started a new
// attempt of is not rerun again; the others are. While GitHub cannot be asked, the rerun
// stays pending.
func (p *Pollers) replayRerun(ctx context.Context, rec *ciRecord) {
	gh, repo, _, err := p.client(rec.PRURL)
	var runs []github.WorkflowRun
	if err == nil {
		runs, err = gh.WorkflowRuns(ctx, repo, rec.LastObservedSHA)
	}
	if err != nil {
		p.backoff(&rec.watch, pollerCI, err)
		if err := p.save(ctx, pollerCI, &rec.watch, rec); err != nil {
			p.log.Error("CI poller: saving a record failed", "issue", rec.Identifier, "error", err.Error())
		}
		return
	}
	var todo []pendingRerun
	for _, r := range rec.PendingReruns {
		if attemptOf(runs, r.RunID) > r.Attempt {
			rec.noteRerun(r.RunID)
			continue
		}
		todo = append(todo, r)
	}
	p.finishRerun(ctx, rec, gh, repo, todo)
}

// noteRerun records that run id was rerun, once however often a replay reports it.
func (r *ciRecord) noteRerun(id int64) {
	if !slices.Contains(r.RerunRunIDs, id) {
		r.RerunRunIDs = append(r.RerunRunIDs, id)
	}
}

// attemptOf is the attempt number of run id among runs, or 0 when it is not there.
func attemptOf(runs []github.WorkflowRun, id int64) int {
	for _, r := range runs {
		if r.ID == id {
			return r.RunAttempt
		}
	}
	return 0
}
