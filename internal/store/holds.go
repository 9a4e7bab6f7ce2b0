package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// holdNamespace keeps held issues in the kv table, one key per repository and issue.
const holdNamespace = "orchestrator.hold"

// Hold is an issue kept from dispatch until an operator releases it or it leaves the active
// states: stopped by the operator, out of token budget, or waiting for human attention. A hold
// with a Question is an agent's question waiting for a human reply instead.
type Hold struct {
	IssueID    string    `json:"issue_id"`
	Identifier string    `json:"identifier"`
	RepoKey    string    `json:"repo_key"`
	Reason     string    `json:"reason"`
	Since      time.Time `json:"since,omitzero"`
	Question   *Question `json:"question,omitempty"`
}

// Question is what an agent asked a human, and where the answer is expected.
type Question struct {
	Text string `json:"text"`
	// CommentID and CommentAuthor name the tracker comment that asked it; replies are the
	// comments after it by someone else.
	CommentID     string `json:"comment_id,omitempty"`
	CommentAuthor string `json:"comment_author,omitempty"`
	// ReturnState is the state the issue was in when it asked, which a reply moves it back to
	// when agent.human_input.resume_on_reply is on.
	ReturnState string `json:"return_state,omitempty"`
	// ThreadID and ThreadDir are the conversation the asking session kept (agent.KeptThread),
	// which the attempt after the reply continues; empty when none was kept.
	ThreadID  string `json:"thread_id,omitempty"`
	ThreadDir string `json:"thread_dir,omitempty"`
}

func holdKey(repoKey, issueID string) string { return repoKey + "\x00" + issueID }

// PutHold records a hold, replacing an earlier one for the same issue. The reason is redacted
// like every other stored text: it can quote an agent's error.
func (s *Store) PutHold(ctx context.Context, h Hold) error {
	if h.IssueID == "" {
		return fmt.Errorf("store: put hold: an issue id is required")
	}
	if h.Since.IsZero() {
		h.Since = s.now()
	}
	h.Reason = s.redact(h.Reason)
	if h.Question != nil {
		q := *h.Question
		q.Text = s.redact(q.Text)
		h.Question = &q
	}
	value, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("store: put hold for %s: %w", h.IssueID, err)
	}
	return s.PutValue(ctx, holdNamespace, holdKey(h.RepoKey, h.IssueID), value)
}

// DeleteHold forgets the hold of one issue; a missing hold is not an error.
func (s *Store) DeleteHold(ctx context.Context, repoKey, issueID string) error {
	return s.DeleteValue(ctx, holdNamespace, holdKey(repoKey, issueID))
}

// Holds returns every recorded hold, ordered by repository and identifier.
func (s *Store) Holds(ctx context.Context) ([]Hold, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM kv WHERE namespace=?`, holdNamespace)
	if err != nil {
		return nil, fmt.Errorf("store: read holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var key string
		var value []byte
		if err := rows.Scan(&key, &value); err != nil {
			return nil, fmt.Errorf("store: read holds: %w", err)
		}
		var h Hold
		if err := json.Unmarshal(value, &h); err != nil {
			return nil, fmt.Errorf("store: hold %q is not valid JSON: %w", strings.ReplaceAll(key, "\x00", "/"), err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read holds: %w", err)
	}
	slices.SortFunc(out, func(a, b Hold) int {
		if c := strings.Compare(a.RepoKey, b.RepoKey); c != 0 {
			return c
		}
		return strings.Compare(a.Identifier, b.Identifier)
	})
	return out, nil
}
