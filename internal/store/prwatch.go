package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// PRWatch is one pull request a poller watches: Poller names the poller ("review" or "ci"),
// Phase its current step in that poller's state machine, and Record the poller's own state,
// which the store keeps as JSON without interpreting it.
type PRWatch struct {
	RepoKey   string          `json:"repo_key"`
	IssueID   string          `json:"issue_id"`
	Poller    string          `json:"poller"`
	PRURL     string          `json:"pr_url"`
	Phase     string          `json:"phase"`
	Record    json.RawMessage `json:"record"`
	UpdatedAt time.Time       `json:"updated_at"`
	// WorkerHost is the SSH worker host of the run that opened the pull request; "" for
	// this machine.
	WorkerHost string `json:"worker_host,omitempty"`
}

// PutPRWatch writes w, replacing the earlier row of the same pull request and poller. Every
// write-ahead step is one call, so a crash leaves either the old or the new record.
func (s *Store) PutPRWatch(ctx context.Context, w PRWatch) error {
	if w.RepoKey == "" || w.IssueID == "" || w.Poller == "" {
		return fmt.Errorf("store: put pr watch: repo_key %q, issue_id %q and poller %q are all required", w.RepoKey, w.IssueID, w.Poller)
	}
	if !json.Valid(w.Record) {
		return fmt.Errorf("store: put pr watch %s/%s/%s: record is not valid JSON", w.RepoKey, w.IssueID, w.Poller)
	}
	_, err := s.writer(ctx).ExecContext(ctx, `INSERT INTO pr_watch (repo_key, issue_id, poller, pr_url, phase, record, updated_at, worker_host)
		VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (repo_key, issue_id, poller) DO UPDATE SET pr_url=excluded.pr_url,
		phase=excluded.phase, record=excluded.record, updated_at=excluded.updated_at, worker_host=excluded.worker_host`,
		w.RepoKey, w.IssueID, w.Poller, w.PRURL, w.Phase, string(w.Record), formatTime(s.now()), w.WorkerHost)
	if err != nil {
		return fmt.Errorf("store: put pr watch %s/%s/%s: %w", w.RepoKey, w.IssueID, w.Poller, err)
	}
	return nil
}

// PRWatches returns every row of one poller, ordered by repo and issue; an empty poller
// returns the rows of all pollers.
func (s *Store) PRWatches(ctx context.Context, poller string) ([]PRWatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT repo_key, issue_id, poller, pr_url, phase, record, updated_at, worker_host
		FROM pr_watch WHERE ? = '' OR poller = ? ORDER BY repo_key, issue_id, poller`, poller, poller)
	if err != nil {
		return nil, fmt.Errorf("store: query pr watches: %w", err)
	}
	defer rows.Close()
	var out []PRWatch
	for rows.Next() {
		var w PRWatch
		var record string
		var updated sql.NullString
		if err := rows.Scan(&w.RepoKey, &w.IssueID, &w.Poller, &w.PRURL, &w.Phase, &record, &updated, &w.WorkerHost); err != nil {
			return nil, fmt.Errorf("store: read pr watch: %w", err)
		}
		w.Record = json.RawMessage(record)
		if w.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, fmt.Errorf("store: pr watch %s/%s/%s: %w", w.RepoKey, w.IssueID, w.Poller, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeletePRWatch forgets one pull request of one poller; a missing row is not an error.
func (s *Store) DeletePRWatch(ctx context.Context, repoKey, issueID, poller string) error {
	if _, err := s.writer(ctx).ExecContext(ctx, `DELETE FROM pr_watch WHERE repo_key=? AND issue_id=? AND poller=?`, repoKey, issueID, poller); err != nil {
		return fmt.Errorf("store: delete pr watch %s/%s/%s: %w", repoKey, issueID, poller, err)
	}
	return nil
}
