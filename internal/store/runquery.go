package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// RunFilter selects runs; empty fields match everything.
type RunFilter struct {
	RepoKey string
	// Issue matches either the issue ID or the human identifier.
	Issue  string
	Status Status
	// Limit caps the number of rows; zero means 100.
	Limit int
}

const runColumns = `repo_key, run_id, issue_id, issue_identifier, issue_title, issue_state, attempt,
	status, started_at, ended_at, error, workspace_path, worker_host, session_id, transcript_path,
	input_tokens, uncached_input_tokens, cached_input_tokens, cache_creation_input_tokens,
	output_tokens, total_tokens, runtime_seconds, agent_pid, agent_start_time, tool_calls, tool_failures, pr_url, cost_usd`

// Runs returns matching runs, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	if f.Limit < 0 {
		return nil, fmt.Errorf("store: run limit %d is negative", f.Limit)
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	var where []string
	var args []any
	if f.RepoKey != "" {
		where = append(where, "repo_key = ?")
		args = append(args, f.RepoKey)
	}
	if f.Issue != "" {
		// A UNION of two indexed lookups; "id = ? OR identifier = ?" would scan the table.
		where = append(where, "seq IN (SELECT seq FROM runs WHERE issue_id = ? UNION SELECT seq FROM runs WHERE issue_identifier = ?)")
		args = append(args, f.Issue, f.Issue)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	q := "SELECT " + runColumns + " FROM runs"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: query runs: %w", err)
	}
	return out, nil
}

// Run returns one run by repo key and run ID.
func (s *Store) Run(ctx context.Context, repoKey, id string) (Run, error) {
	row := s.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE repo_key = ? AND run_id = ?", repoKey, id)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("store: run %s/%s: %w", repoKey, id, ErrNotFound)
	}
	return r, err
}

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var status string
	var started, ended sql.NullString
	err := sc.Scan(&r.RepoKey, &r.ID, &r.IssueID, &r.IssueIdentifier, &r.IssueTitle, &r.IssueState,
		&r.Attempt, &status, &started, &ended, &r.Error, &r.WorkspacePath, &r.WorkerHost,
		&r.SessionID, &r.TranscriptPath, &r.Tokens.Input, &r.Tokens.UncachedInput,
		&r.Tokens.CachedInput, &r.Tokens.CacheCreationInput, &r.Tokens.Output, &r.Tokens.Total,
		&r.RuntimeSeconds, &r.AgentPID, &r.AgentStartTime, &r.ToolCalls, &r.ToolFailures, &r.PRURL, &r.CostUSD)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Run{}, err
		}
		return Run{}, fmt.Errorf("store: read run: %w", err)
	}
	r.Status = Status(status)
	if r.StartedAt, err = parseTime(started); err != nil {
		return Run{}, err
	}
	if r.EndedAt, err = parseTime(ended); err != nil {
		return Run{}, err
	}
	return r, nil
}
