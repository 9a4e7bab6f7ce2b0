package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Retry is one scheduled retry (SPEC §4.1.7). DueAt is wall-clock time so the orchestrator can
// re-create its timer after a restart.
type Retry struct {
	RepoKey       string    `json:"repo_key"`
	IssueID       string    `json:"issue_id"`
	Identifier    string    `json:"identifier"`
	Attempt       int       `json:"attempt"`
	DueAt         time.Time `json:"due_at"`
	Error         string    `json:"error,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	ElapsedMs     int64     `json:"elapsed_ms"`
	WorkerHost    string    `json:"worker_host,omitempty"`
	WorkspacePath string    `json:"workspace_path,omitempty"`
}

// PutRetry records or replaces the retry for (RepoKey, IssueID).
func (s *Store) PutRetry(ctx context.Context, r Retry) error {
	switch {
	case r.RepoKey == "" || r.IssueID == "":
		return fmt.Errorf("store: put retry: repo_key %q and issue_id %q are both required", r.RepoKey, r.IssueID)
	case r.Attempt < 1:
		return fmt.Errorf("store: put retry for issue %s: attempt %d must be 1 or more", r.IssueID, r.Attempt)
	case r.DueAt.IsZero():
		return fmt.Errorf("store: put retry for issue %s: due_at is required", r.IssueID)
	}
	_, err := s.writer(ctx).ExecContext(ctx, `INSERT INTO retries (repo_key, issue_id, identifier, attempt, due_at,
		error, reason, elapsed_ms, worker_host, workspace_path) VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (repo_key, issue_id) DO UPDATE SET identifier=excluded.identifier,
		attempt=excluded.attempt, due_at=excluded.due_at, error=excluded.error, reason=excluded.reason,
		elapsed_ms=excluded.elapsed_ms, worker_host=excluded.worker_host,
		workspace_path=excluded.workspace_path`,
		r.RepoKey, r.IssueID, r.Identifier, r.Attempt, formatTime(r.DueAt), s.redact(r.Error), s.redact(r.Reason),
		r.ElapsedMs, r.WorkerHost, r.WorkspacePath)
	if err != nil {
		return fmt.Errorf("store: put retry %s/%s: %w", r.RepoKey, r.IssueID, err)
	}
	return nil
}

// DeleteRetry removes the retry for (repoKey, issueID); removing a missing row is not an error
// because the caller's intent, "no retry pending", already holds.
func (s *Store) DeleteRetry(ctx context.Context, repoKey, issueID string) error {
	if _, err := s.writer(ctx).ExecContext(ctx, `DELETE FROM retries WHERE repo_key=? AND issue_id=?`, repoKey, issueID); err != nil {
		return fmt.Errorf("store: delete retry %s/%s: %w", repoKey, issueID, err)
	}
	return nil
}

// Retries returns every pending retry, soonest first.
func (s *Store) Retries(ctx context.Context) ([]Retry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT repo_key, issue_id, identifier, attempt, due_at, error,
		reason, elapsed_ms, worker_host, workspace_path FROM retries ORDER BY due_at, repo_key, issue_id`)
	if err != nil {
		return nil, fmt.Errorf("store: query retries: %w", err)
	}
	defer rows.Close()
	var out []Retry
	for rows.Next() {
		var r Retry
		var due sql.NullString
		if err := rows.Scan(&r.RepoKey, &r.IssueID, &r.Identifier, &r.Attempt, &due, &r.Error,
			&r.Reason, &r.ElapsedMs, &r.WorkerHost, &r.WorkspacePath); err != nil {
			return nil, fmt.Errorf("store: read retry: %w", err)
		}
		if r.DueAt, err = parseTime(due); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: query retries: %w", err)
	}
	return out, nil
}
