package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PortAllocation is a verification port held by a run, with the dev server that uses it.
type PortAllocation struct {
	Port            int
	RunID           string
	RepoKey         string
	IssueID         string
	IssueIdentifier string
	// ServerPID and ServerStartTime (/proc start time) identify the dev server's process
	// group leader; zero until it started.
	ServerPID       int
	ServerStartTime int64
	AllocatedAt     time.Time
}

// ErrPortTaken is returned by AllocatePort when the port or the run already holds a row.
var ErrPortTaken = errors.New("store: verification port or run already allocated")

// AllocatePort records a; a port held by another run, or a run holding another port, is
// ErrPortTaken.
func (s *Store) AllocatePort(ctx context.Context, a PortAllocation) error {
	res, err := s.writer(ctx).ExecContext(ctx, `INSERT INTO verification_ports (port, run_id, repo_key, issue_id, issue_identifier, allocated_at)
		VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING`, a.Port, a.RunID, a.RepoKey, a.IssueID, a.IssueIdentifier, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: allocate verification port %d: %w", a.Port, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrPortTaken
	}
	return nil
}

// SetPortServer records the dev server of runID's port.
func (s *Store) SetPortServer(ctx context.Context, runID string, pid int, startTime int64) error {
	if _, err := s.writer(ctx).ExecContext(ctx, `UPDATE verification_ports SET server_pid=?, server_start_time=? WHERE run_id=?`, pid, startTime, runID); err != nil {
		return fmt.Errorf("store: record the dev server of run %s: %w", runID, err)
	}
	return nil
}

// ReleasePort frees the port runID holds; none is not an error.
func (s *Store) ReleasePort(ctx context.Context, runID string) error {
	if _, err := s.writer(ctx).ExecContext(ctx, `DELETE FROM verification_ports WHERE run_id=?`, runID); err != nil {
		return fmt.Errorf("store: release the verification port of run %s: %w", runID, err)
	}
	return nil
}

// PortAllocations lists every held port, lowest first.
func (s *Store) PortAllocations(ctx context.Context) ([]PortAllocation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT port, run_id, repo_key, issue_id, issue_identifier, server_pid, server_start_time, allocated_at
		FROM verification_ports ORDER BY port`)
	if err != nil {
		return nil, fmt.Errorf("store: read verification ports: %w", err)
	}
	defer rows.Close()
	var out []PortAllocation
	for rows.Next() {
		var a PortAllocation
		var at sql.NullString
		if err := rows.Scan(&a.Port, &a.RunID, &a.RepoKey, &a.IssueID, &a.IssueIdentifier, &a.ServerPID, &a.ServerStartTime, &at); err != nil {
			return nil, fmt.Errorf("store: read verification ports: %w", err)
		}
		if a.AllocatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
