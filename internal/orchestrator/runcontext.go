package orchestrator

import (
	"context"
	"log/slog"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
)

// RunContext is why a run was started beyond the issue itself: the review feedback, CI
// failure or merge conflict a pull-request poller sent the issue back for. HeadRef, when
// set, is the pull request's head branch the workspace is reset to before the run.
type RunContext struct {
	ReviewerComments []prompt.ReviewerComment
	CIFailure        *prompt.CIFailure
	Conflict         *prompt.Conflict
	HeadRef          string
}

// RunContextSource looks up an issue's RunContext when its run starts; the pollers keep it
// in the store, so a restart between the poller's transition and the dispatch keeps it.
type RunContextSource func(ctx context.Context, iss issue.Issue) (RunContext, error)

// runContext asks the pull-request pollers what the issue was sent back with. A store that
// cannot answer costs the prompt its feedback, not the run: the agent can still read the
// pull request itself.
func (w *worker) runContext(ctx context.Context, job attemptJob, log *slog.Logger) RunContext {
	if w.d.RunContext == nil || job.pr != nil {
		return RunContext{}
	}
	rc, err := w.d.RunContext(ctx, job.issue)
	if err != nil {
		log.Warn("reading the pull-request poller's context failed; the prompt goes without it", "error", err.Error())
		return RunContext{}
	}
	return rc
}
