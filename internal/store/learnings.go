package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Learning is one repository rule distilled from a merged pull request's review discussion.
type Learning struct {
	ID              string    `json:"id"`
	RepoKey         string    `json:"repo_key"`
	Rule            string    `json:"rule"`
	Tags            []string  `json:"tags"`
	EvidenceQuote   string    `json:"evidence_quote"`
	IssueIdentifier string    `json:"issue_identifier,omitempty"`
	IssueURL        string    `json:"issue_url,omitempty"`
	PRNumber        int       `json:"pr_number,omitempty"`
	PRURL           string    `json:"pr_url"`
	RunID           string    `json:"run_id,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

// Capture outcomes recorded per merged pull request.
const (
	CaptureStored    = "stored"
	CaptureDiscarded = "discarded"
)

// LearningCaptured reports whether the merged pull request prURL of repoKey was already
// reflected on, whatever came of it.
func (s *Store) LearningCaptured(ctx context.Context, repoKey, prURL string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM learning_captures WHERE repo_key=? AND pr_url=?`, repoKey, prURL).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: read learning capture %s %s: %w", repoKey, prURL, err)
	}
	return n > 0, nil
}

// RecordLearnings marks prURL of repoKey as captured with outcome and stores ls, then drops
// the repository's oldest learnings beyond maxTotal, all in one transaction: a crash never
// leaves learnings without their capture mark, so a merged PR is reflected on exactly once.
// It reports false when the pull request was already captured (and stores nothing).
func (s *Store) RecordLearnings(ctx context.Context, repoKey, prURL, outcome string, ls []Learning, maxTotal int) (bool, error) {
	if repoKey == "" || prURL == "" {
		return false, fmt.Errorf("store: record learnings: repository %q and pull request %q are both required", repoKey, prURL)
	}
	stored := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.in(tx).ExecContext(ctx, `INSERT INTO learning_captures (repo_key, pr_url, outcome, captured_at) VALUES (?,?,?,?)
			ON CONFLICT (repo_key, pr_url) DO NOTHING`, repoKey, prURL, outcome, formatTime(s.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		stored = true
		for _, l := range ls {
			_, err := s.in(tx).ExecContext(ctx, `INSERT INTO learnings (id, repo_key, rule, tags, evidence_quote, issue_identifier, issue_url,
				pr_number, pr_url, run_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
				l.ID, repoKey, s.redact(l.Rule), strings.Join(l.Tags, ","), s.redact(l.EvidenceQuote), l.IssueIdentifier, l.IssueURL,
				l.PRNumber, prURL, l.RunID, formatTime(l.CreatedAt))
			if err != nil {
				return err
			}
		}
		if maxTotal > 0 {
			_, err = s.in(tx).ExecContext(ctx, `DELETE FROM learnings WHERE repo_key=? AND seq NOT IN
				(SELECT seq FROM learnings WHERE repo_key=? ORDER BY seq DESC LIMIT ?)`, repoKey, repoKey, maxTotal)
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: record learnings of %s: %w", prURL, err)
	}
	return stored, nil
}

// Learnings returns up to limit of the learnings of repoKey (every repository when empty),
// newest first.
func (s *Store) Learnings(ctx context.Context, repoKey string, limit int) ([]Learning, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, repo_key, rule, tags, evidence_quote, issue_identifier, issue_url, pr_number, pr_url,
		run_id, created_at FROM learnings WHERE ?='' OR repo_key=? ORDER BY seq DESC LIMIT ?`, repoKey, repoKey, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read learnings: %w", err)
	}
	defer rows.Close()
	var out []Learning
	for rows.Next() {
		var l Learning
		var tags string
		var created sql.NullString
		if err := rows.Scan(&l.ID, &l.RepoKey, &l.Rule, &tags, &l.EvidenceQuote, &l.IssueIdentifier, &l.IssueURL, &l.PRNumber,
			&l.PRURL, &l.RunID, &created); err != nil {
			return nil, fmt.Errorf("store: read learnings: %w", err)
		}
		if tags != "" {
			l.Tags = strings.Split(tags, ",")
		}
		if l.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
