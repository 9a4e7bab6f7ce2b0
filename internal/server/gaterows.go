package server

import (
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// GateJSON is a candidate the issue gate holds: awaiting its author's clarification, or
// skipped until its content or comments change.
type GateJSON struct {
	RepoKey         string `json:"repo_key"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	Title           string `json:"title"`
	URL             string `json:"url"`
	// Kind is "scored", or "error" for a skip issue_gate.on_error: skip made after the
	// scoring model failed (Error says how).
	Kind        string    `json:"kind"`
	Score       int       `json:"score"`
	Reason      string    `json:"reason"`
	Error       string    `json:"error,omitempty"`
	Questions   []string  `json:"questions"`
	RoundsAsked int       `json:"rounds_asked"`
	DecidedAt   time.Time `json:"decided_at"`
}

func gateRowsOf(rows []orchestrator.GateRow, repos map[string]bool) []GateJSON {
	out := make([]GateJSON, 0, len(rows))
	for _, r := range rows {
		repos[r.RepoKey] = true
		questions := r.Questions
		if questions == nil {
			questions = []string{}
		}
		out = append(out, GateJSON{RepoKey: r.RepoKey, IssueID: r.IssueID, IssueIdentifier: r.Identifier, Title: r.Title, URL: r.URL,
			Kind: r.Kind, Score: r.Score, Reason: r.Reason, Error: r.Error, Questions: questions, RoundsAsked: r.RoundsAsked, DecidedAt: r.DecidedAt})
	}
	return out
}
