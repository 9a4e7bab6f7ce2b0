package orchestrator

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/review"
	"github.com/symphony-go/symphony/internal/workspace"
)

// PrePushReview configures the reviewer agent that reads the executor's committed diff
// before anything is pushed (pre_push_review).
type PrePushReview struct {
	// MaxIterations is how many request_changes rounds go back to the executor.
	MaxIterations int
	// FirstPushOnly (run_on: first_push) skips rework runs: retries and continuations.
	FirstPushOnly bool
	// BaseBranch maps a repository key to its repositories[].base_branch ("" when unset).
	BaseBranch map[string]string
	// EscalateToState is where a blocked issue goes (pull_requests.checks.escalate_to_state);
	// empty leaves its state alone.
	EscalateToState string
	// NewReviewer builds a reviewer session: the reviewer's runtime and command, read-only
	// scoped tools.
	NewReviewer AgentFactory
	// IssueFields wrap the issue text in the reviewer's prompt, tagged with the tracker's name.
	IssueFields prompt.IssueFields
}

// prePush is one attempt's reviewer: the phase machine and the reviewer's token count.
type prePush struct {
	w       *worker
	cfg     *PrePushReview
	job     attemptJob
	ws      workspace.Workspace
	lock    *workspace.Lock
	events  agent.EventSink
	log     *slog.Logger
	machine review.Machine

	mu     sync.Mutex
	tokens int64
}

// newPrePush returns the attempt's reviewer, or nil when none runs: disabled, a pull-request
// run, or a rework run under run_on: first_push.
func (w *worker) newPrePush(job attemptJob, ws workspace.Workspace, lock *workspace.Lock, events agent.EventSink, log *slog.Logger) *prePush {
	cfg := w.d.Review
	if cfg == nil || job.pr != nil || cfg.FirstPushOnly && job.attempt > 0 {
		return nil
	}
	return &prePush{w: w, cfg: cfg, job: job, ws: ws, lock: lock, events: events, log: log,
		machine: review.Machine{MaxIterations: cfg.MaxIterations, Phase: review.NotRun}}
}

// gatePrompt holds the executor before push until the reviewer approved.
func (p *prePush) gatePrompt(text string) string {
	if p == nil || p.machine.Phase == review.Complete {
		return text
	}
	return text + "\n\n" + review.ExecutorGate
}

// afterTurn reviews new commits of an executor turn. It returns the prompt of the
// executor's next turn ("" for the normal continuation), or the error that ends the attempt:
// review_agent_blocked (escalated, not retried) or a reviewer failure (retried).
func (p *prePush) afterTurn(ctx context.Context, iss issue.Issue) (string, error) {
	work, err := review.CommittedWork(ctx, p.ws.Path, p.cfg.BaseBranch[iss.RepoKey])
	if err != nil {
		p.log.Warn("pre-push review: cannot read the committed work; not reviewing this turn", "error", err.Error())
		return "", nil
	}
	if !p.machine.Due(work.Head, work.MergeBase) {
		return "", nil
	}
	p.log.Info("pre-push review starts", "head", work.Head, "base", work.Base, "phase", string(p.machine.Phase))
	reviewPrompt := review.ReviewPrompt(p.cfg.IssueFields, iss.Identifier, iss.Title, iss.Description, work.Base, work.Diff)
	outcome := review.Evaluate(ctx, p.newSession, reviewPrompt, review.Evidence{Workspace: p.ws.Path, Diff: work.Diff})
	action := p.machine.Apply(work.Head, outcome)
	p.log.Info("pre-push review verdict", "outcome", string(outcome.Kind), "forced", outcome.Forced, "findings", len(outcome.Findings),
		"rounds", p.machine.Rounds, "phase", string(p.machine.Phase), "reviewer_tokens", p.reviewerTokens())
	switch action.Step {
	case review.Tell:
		return action.Prompt, nil
	case review.Escalate:
		return "", p.escalate(ctx, iss, outcome)
	default:
		return "", fmt.Errorf("review_agent_failed: %w", outcome.Err)
	}
}

// escalate posts the block to the tracker and moves the issue to the escalation state. The
// returned error ends the attempt without a retry, even when a tracker call failed.
func (p *prePush) escalate(ctx context.Context, iss issue.Issue, o review.Outcome) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Symphony pre-push review: blocked.\n\nReason: %s\n\nFindings:\n", o.Reason)
	for i, c := range o.Comments {
		fmt.Fprintf(&b, "%d. %s\n", i+1, c)
	}
	tctx, cancel := context.WithTimeout(ctx, p.job.settings.TrackerTimeout)
	defer cancel()
	var problems []string
	if _, err := p.w.d.Tracker.CreateComment(tctx, iss.ID, b.String()); err != nil {
		problems = append(problems, "posting the findings failed: "+err.Error())
	}
	if to := p.cfg.EscalateToState; to != "" {
		if err := p.w.d.Tracker.UpdateIssueState(tctx, iss.ID, to); err != nil {
			problems = append(problems, "moving the issue to "+to+" failed: "+err.Error())
		}
	}
	msg := o.Reason
	if len(problems) > 0 {
		msg += " (" + strings.Join(problems, "; ") + ")"
	}
	return agent.Errorf(agent.CodeReviewBlocked, "%s", msg)
}

// newSession starts a fresh reviewer session in the attempt's workspace. Its events join the
// attempt's, so its tokens count in the run and against the issue's budget, and are also
// counted apart as the reviewer's.
func (p *prePush) newSession(ctx context.Context) (review.Session, error) {
	events := func(ev agent.Event) {
		if ev.Kind == agent.EventTokenUsage && ev.UsageDelta != nil {
			p.mu.Lock()
			p.tokens += ev.UsageDelta.Total
			p.mu.Unlock()
		}
		p.events(ev)
	}
	s, err := p.cfg.NewReviewer(AgentRequest{RunID: p.job.runID, Issue: p.job.issue, Workspace: p.ws, Lock: p.lock,
		Attempt: p.job.attempt, ReadOnlyTools: true, Events: events})
	if err != nil {
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		p.w.stopSession(s, p.log)
		return nil, err
	}
	return &reviewerSession{s: s, w: p.w, log: p.log}, nil
}

func (p *prePush) reviewerTokens() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens
}

// reviewerSession adapts an agent session to the reviewer's turn-and-answer use.
type reviewerSession struct {
	s   agent.Session
	w   *worker
	log *slog.Logger
}

func (r *reviewerSession) RunTurn(ctx context.Context, prompt string) (string, error) {
	res, err := r.s.RunTurn(ctx, prompt)
	return res.LastMessage, err
}

func (r *reviewerSession) Close() { r.w.stopSession(r.s, r.log) }
