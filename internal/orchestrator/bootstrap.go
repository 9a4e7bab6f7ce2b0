package orchestrator

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
)

// bootstrap prepares the tracker before the first turn, the same way on every attempt: an
// issue still in the start state moves to the working state, and the issue gets exactly one
// workpad comment. A comment left by an earlier attempt (even one whose create call timed out
// after the tracker stored it) is found and reused, so retries never add a second one. Its
// audit records are a bounded few per attempt, so they never wait behind the agents' flood in
// the session lane: a new attempt's first turn is not held up by the others' output.
func (w *worker) bootstrap(ctx context.Context, s Settings, iss issue.Issue, runID string) (issue.Issue, error) {
	ctx, cancel := context.WithTimeout(ctx, s.TrackerTimeout)
	defer cancel()
	if issue.NormalizeState(iss.State) == issue.NormalizeState(s.StartState) {
		if err := w.d.Tracker.UpdateIssueState(ctx, iss.ID, s.WorkingState); err != nil {
			return iss, err
		}
		w.rec.appendAudit(issueEvent(w.d.Clock.Now(), iss, runID, "", audit.EventTrackerStateChanged, map[string]any{"from": iss.State, "to": s.WorkingState}))
		iss.State = s.WorkingState
	}
	comments, err := w.d.Tracker.ListComments(ctx, iss.ID)
	if err != nil {
		return iss, err
	}
	for _, c := range comments {
		if slices.ContainsFunc(workpadHeadings, func(h string) bool { return isWorkpad(c.Body, h) }) {
			return iss, w.ownWorkpad(ctx, iss.ID, c.ID)
		}
	}
	ag, err := prompt.AgentFor(s.AgentKind)
	if err != nil {
		return iss, err
	}
	created, err := w.d.Tracker.CreateComment(ctx, iss.ID, workpadBody(ag.WorkpadHeading, w.d.Clock.Now()))
	if err != nil {
		return iss, err
	}
	w.rec.appendAudit(issueEvent(w.d.Clock.Now(), iss, runID, "", audit.EventTrackerComment, map[string]any{"action": "create_workpad", "comment_id": created.ID}))
	return iss, w.ownWorkpad(ctx, iss.ID, created.ID)
}

// ownWorkpad lets the agent keep the workpad current through its scoped comment tools: the
// workpad counts as a comment of the issue's runs.
func (w *worker) ownWorkpad(ctx context.Context, issueID, commentID string) error {
	if w.d.OwnComment == nil {
		return nil
	}
	return w.d.OwnComment(ctx, issueID, commentID)
}

// workpadHeadings are every runtime's heading: an issue worked by Codex and later by Claude
// keeps its one workpad.
var workpadHeadings = []string{"## Codex Workpad", "## Claude Workpad"}

// workpadBody is the skeleton the agent fills in; the sections mirror what the prompts ask
// the agent to keep current.
func workpadBody(heading string, now time.Time) string {
	return heading + `

### Plan

- [ ] Read the issue and its comments, then replace this line with the real plan.

### Acceptance criteria

- [ ] Taken from the issue description and comments.

### Validation

- [ ] Checks that prove the change: pending.

### Notes

- ` + now.UTC().Format(time.RFC3339) + ` Symphony opened this workpad before the agent's first turn.

### Open questions
`
}

// isWorkpad reports whether a comment body is the workpad: its first non-blank line is the
// heading.
func isWorkpad(body, heading string) bool {
	for line := range strings.Lines(body) {
		if line = strings.TrimSpace(line); line != "" {
			return line == heading
		}
	}
	return false
}
