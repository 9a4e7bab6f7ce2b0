package prwatch

import "context"

// finishCleanup removes the workspace of a pull request that was merged, closed or left
// stale, through the workspace manager of the host its run used (its containment rules, its lock, the auto/ branch
// only when no commit on it would be lost), and ends the watch. A removal that fails, for
// example because a run still holds the workspace, stays pending and is tried again next
// cycle; the record of the pending step makes a restart finish it too.
func (p *Pollers) finishCleanup(ctx context.Context, rec *reviewRecord) {
	if p.d.WorkspacesOn != nil {
		spaces, err := p.d.WorkspacesOn(rec.WorkerHost)
		if err == nil {
			err = spaces.Remove(ctx, rec.RepoKey, rec.IssueID, rec.Identifier)
		}
		if err != nil {
			rec.Error = err.Error()
			p.log.Warn("review poller: removing the workspace of a finished pull request failed; trying again next cycle",
				"issue", rec.Identifier, "pr", rec.PRURL, "error", rec.Error)
			if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
				p.log.Error("review poller: saving a record failed", "issue", rec.Identifier, "error", err.Error())
			}
			return
		}
		p.emit(pollerReview, &rec.watch, "workspace_removed", "pull request "+rec.CleanupReason)
	}
	rec.Phase, rec.Error = donePhase(rec.CleanupReason), ""
	if err := p.save(ctx, pollerReview, &rec.watch, rec); err != nil {
		p.log.Error("review poller: recording a finished clean-up failed; the next cycle repeats it", "issue", rec.Identifier, "error", err.Error())
	}
}
