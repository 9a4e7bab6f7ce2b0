package prwatch

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/store"
)

// Status is what an operator sees of one poller's watch of one pull request: where its
// state machine stands, what it did last, and whether GitHub is failing for it.
type Status struct {
	Poller       string    `json:"poller"`
	RepoKey      string    `json:"repo_key"`
	IssueID      string    `json:"issue_id"`
	Identifier   string    `json:"issue_identifier"`
	PRURL        string    `json:"pr_url"`
	Phase        string    `json:"phase"`
	Error        string    `json:"error,omitempty"`
	TargetState  string    `json:"target_state,omitempty"`
	LastAction   string    `json:"last_action,omitempty"`
	LastActionAt time.Time `json:"last_action_at,omitzero"`
	// ConsecutiveErrors, NextPollAt and Degraded are the back-off after GitHub errors.
	ConsecutiveErrors int       `json:"consecutive_errors"`
	NextPollAt        time.Time `json:"next_poll_at,omitzero"`
	Degraded          bool      `json:"degraded"`
	// PendingComments counts the reviewer comments sent to a rework run and not yet
	// addressed (review poller).
	PendingComments int `json:"pending_comments"`
	// ConflictRuns counts the conflict runs the PR has had (review poller); FixAttempts the
	// CI fix runs over its life (CI poller).
	ConflictRuns int       `json:"conflict_runs"`
	FixAttempts  int       `json:"fix_attempts"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Statuses decodes the store's pr_watch rows of both pollers, in the store's order.
func Statuses(rows []store.PRWatch) ([]Status, error) {
	out := make([]Status, 0, len(rows))
	for _, row := range rows {
		var rec struct {
			watch
			PendingComments []Comment `json:"pending_comments"`
			ConflictRetries int       `json:"conflict_retries"`
			FixAttempts     int       `json:"fix_attempts"`
		}
		if err := json.Unmarshal(row.Record, &rec); err != nil {
			return nil, fmt.Errorf("pr_watch row %s/%s/%s: %w", row.RepoKey, row.IssueID, row.Poller, err)
		}
		out = append(out, Status{Poller: row.Poller, RepoKey: row.RepoKey, IssueID: row.IssueID, Identifier: rec.Identifier,
			PRURL: row.PRURL, Phase: row.Phase, Error: rec.Error, TargetState: rec.TargetState, LastAction: rec.LastAction,
			LastActionAt: rec.LastActionAt, ConsecutiveErrors: rec.ConsecutiveErrors, NextPollAt: rec.NextPollAt,
			Degraded: rec.Degraded, PendingComments: len(rec.PendingComments), ConflictRuns: rec.ConflictRetries,
			FixAttempts: rec.FixAttempts, UpdatedAt: row.UpdatedAt})
	}
	return out, nil
}

// EventKinds lists every Event.Kind the pollers emit, so a counter of them can start each
// series at zero and fold anything else into one bucket.
func EventKinds() []string {
	kinds := []string{"rework_pushed", "rework_not_pushed", phaseRerunRequested, "ci_failed", "ci_escalated",
		"ci_ownership_released", phaseConflictEscalated, phaseTransitionError, "poller_degraded", "poller_recovered",
		"workspace_removed", learningsCaptured, learningsFailed}
	for _, a := range []string{actionRework, actionConflict, actionMerge} {
		kinds = append(kinds, requestedPhase(a))
	}
	for _, reason := range []string{"merged", "closed", "stale"} {
		kinds = append(kinds, "pr_"+reason)
	}
	slices.Sort(kinds)
	return kinds
}
