package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Status is a run's outcome; StatusRunning is the only non-final one.
type Status string

// Run statuses, as stored.
const (
	StatusRunning         Status = "running"
	StatusSuccess         Status = "success"
	StatusFailure         Status = "failure"
	StatusTimeout         Status = "timeout"
	StatusStopped         Status = "stopped"
	StatusInterrupted     Status = "interrupted"
	StatusBudgetExhausted Status = "budget_exhausted"
	// StatusRateLimited ends an attempt the model account's usage limit refused; the issue
	// waits for the reported reset without using up a retry.
	StatusRateLimited Status = "rate_limited"
	// StatusAwaitingInput ends an attempt whose agent asked a human a question; the issue
	// waits for a reply instead of being retried.
	StatusAwaitingInput Status = "awaiting_input"
)

// Statuses lists every run status, running first.
func Statuses() []Status {
	return []Status{StatusRunning, StatusSuccess, StatusFailure, StatusTimeout, StatusStopped, StatusInterrupted,
		StatusBudgetExhausted, StatusRateLimited, StatusAwaitingInput}
}

// Final reports whether s ends a run.
func (s Status) Final() bool {
	switch s {
	case StatusSuccess, StatusFailure, StatusTimeout, StatusStopped, StatusInterrupted, StatusBudgetExhausted, StatusRateLimited, StatusAwaitingInput:
		return true
	}
	return false
}

// ErrNotFound reports that no row matched.
var ErrNotFound = errors.New("store: not found")

// Tokens holds the token buckets the agents report (SPEC §4.1.6).
type Tokens struct {
	Input              int64 `json:"input_tokens"`
	UncachedInput      int64 `json:"uncached_input_tokens"`
	CachedInput        int64 `json:"cached_input_tokens"`
	CacheCreationInput int64 `json:"cache_creation_input_tokens"`
	Output             int64 `json:"output_tokens"`
	Total              int64 `json:"total_tokens"`
}

// Run is one execution attempt for one issue, partitioned by RepoKey.
type Run struct {
	ID              string `json:"run_id"`
	RepoKey         string `json:"repo_key"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	IssueTitle      string `json:"issue_title"`
	IssueState      string `json:"issue_state"`
	// Attempt is 0 for an issue's first run and counts retries and continuations from 1.
	Attempt   int       `json:"attempt"`
	Status    Status    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	// EndedAt is zero while the run is running.
	EndedAt        time.Time `json:"ended_at,omitzero"`
	Error          string    `json:"error,omitempty"`
	WorkspacePath  string    `json:"workspace_path,omitempty"`
	WorkerHost     string    `json:"worker_host,omitempty"`
	SessionID      string    `json:"session_id,omitempty"`
	TranscriptPath string    `json:"transcript_path,omitempty"`
	Tokens         Tokens    `json:"tokens"`
	RuntimeSeconds float64   `json:"runtime_seconds"`
	// CostUSD is what the run's tokens cost in US dollars; zero without a price.
	CostUSD float64 `json:"cost_usd"`
	// AgentPID and AgentStartTime name the agent's supervisor process (start time in clock
	// ticks since boot, /proc/<pid>/stat field 22); zero until the agent has started.
	AgentPID       int   `json:"agent_pid,omitempty"`
	AgentStartTime int64 `json:"agent_start_time,omitempty"`
	// ToolCalls and ToolFailures count the scoped tool calls the run's agent made and how many
	// of them failed.
	ToolCalls    int `json:"tool_calls"`
	ToolFailures int `json:"tool_failures"`
	// PRURL is the pull request the run's agent opened, empty when it opened none.
	PRURL string `json:"pr_url,omitempty"`
}

// NewRunID returns a random run identifier.
func NewRunID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// StartRun records a new running run and returns it with ID and StartedAt filled in when they
// were empty. RepoKey and IssueID are required.
func (s *Store) StartRun(ctx context.Context, r Run) (Run, error) {
	if r.RepoKey == "" || r.IssueID == "" {
		return Run{}, fmt.Errorf("store: start run: repo_key %q and issue_id %q are both required", r.RepoKey, r.IssueID)
	}
	if r.Attempt < 0 {
		return Run{}, fmt.Errorf("store: start run for issue %s: attempt %d is negative", r.IssueID, r.Attempt)
	}
	if r.ID == "" {
		r.ID = NewRunID()
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.now()
	}
	r.Status = StatusRunning
	r.EndedAt = time.Time{}
	r = s.scrubRun(r)
	_, err := s.writer(ctx).ExecContext(ctx, `INSERT INTO runs (repo_key, run_id, issue_id, issue_identifier,
		issue_title, issue_state, attempt, status, started_at, error, workspace_path, worker_host,
		session_id, transcript_path, input_tokens, uncached_input_tokens, cached_input_tokens,
		cache_creation_input_tokens, output_tokens, total_tokens, runtime_seconds)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.RepoKey, r.ID, r.IssueID, r.IssueIdentifier, r.IssueTitle, r.IssueState, r.Attempt,
		string(r.Status), formatTime(r.StartedAt), r.Error, r.WorkspacePath, r.WorkerHost,
		r.SessionID, r.TranscriptPath, r.Tokens.Input, r.Tokens.UncachedInput, r.Tokens.CachedInput,
		r.Tokens.CacheCreationInput, r.Tokens.Output, r.Tokens.Total, r.RuntimeSeconds)
	if err != nil {
		return Run{}, fmt.Errorf("store: start run %s/%s: %w", r.RepoKey, r.ID, err)
	}
	return r, nil
}

// UpdateRun rewrites the progress fields of a running run (issue state, workspace, worker host,
// session, transcript, tokens, runtime). A run that already finished is not changed.
func (s *Store) UpdateRun(ctx context.Context, r Run) error {
	r = s.scrubRun(r)
	res, err := s.writer(ctx).ExecContext(ctx, `UPDATE runs SET issue_state=?, workspace_path=?, worker_host=?,
		session_id=?, transcript_path=?, input_tokens=?, uncached_input_tokens=?, cached_input_tokens=?,
		cache_creation_input_tokens=?, output_tokens=?, total_tokens=?, runtime_seconds=?, cost_usd=?
		WHERE repo_key=? AND run_id=? AND status='running'`,
		r.IssueState, r.WorkspacePath, r.WorkerHost, r.SessionID, r.TranscriptPath,
		r.Tokens.Input, r.Tokens.UncachedInput, r.Tokens.CachedInput, r.Tokens.CacheCreationInput,
		r.Tokens.Output, r.Tokens.Total, r.RuntimeSeconds, r.CostUSD, r.RepoKey, r.ID)
	if err != nil {
		return fmt.Errorf("store: update run %s/%s: %w", r.RepoKey, r.ID, err)
	}
	return expectOne(res, "update run", r.RepoKey, r.ID)
}

// FinishRun records a running run's final status with its last progress fields and adds its
// runtime to the aggregate totals, in one transaction. EndedAt defaults to now.
func (s *Store) FinishRun(ctx context.Context, r Run) error {
	if !r.Status.Final() {
		return fmt.Errorf("store: finish run %s/%s: status %q is not a final status", r.RepoKey, r.ID, r.Status)
	}
	if r.EndedAt.IsZero() {
		r.EndedAt = s.now()
	}
	r = s.scrubRun(r)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.in(tx).ExecContext(ctx, `UPDATE runs SET status=?, ended_at=?, error=?, issue_state=?,
			workspace_path=?, worker_host=?, session_id=?, transcript_path=?, input_tokens=?,
			uncached_input_tokens=?, cached_input_tokens=?, cache_creation_input_tokens=?,
			output_tokens=?, total_tokens=?, runtime_seconds=?, tool_calls=?, tool_failures=?, cost_usd=?
			WHERE repo_key=? AND run_id=? AND status='running'`,
			string(r.Status), formatTime(r.EndedAt), r.Error, r.IssueState, r.WorkspacePath,
			r.WorkerHost, r.SessionID, r.TranscriptPath, r.Tokens.Input, r.Tokens.UncachedInput,
			r.Tokens.CachedInput, r.Tokens.CacheCreationInput, r.Tokens.Output, r.Tokens.Total,
			r.RuntimeSeconds, r.ToolCalls, r.ToolFailures, r.CostUSD, r.RepoKey, r.ID)
		if err != nil {
			return fmt.Errorf("store: finish run %s/%s: %w", r.RepoKey, r.ID, err)
		}
		if err := expectOne(res, "finish run", r.RepoKey, r.ID); err != nil {
			return err
		}
		_, err = s.in(tx).ExecContext(ctx, `UPDATE totals SET runtime_seconds = runtime_seconds + ? WHERE id = 1`, r.RuntimeSeconds)
		if err != nil {
			return fmt.Errorf("store: add runtime of run %s/%s to totals: %w", r.RepoKey, r.ID, err)
		}
		return nil
	})
}

// SetRunAgent records the agent process of a running run. A run that already finished is
// not changed.
func (s *Store) SetRunAgent(ctx context.Context, repoKey, id string, pid int, startTime int64) error {
	res, err := s.writer(ctx).ExecContext(ctx, `UPDATE runs SET agent_pid=?, agent_start_time=?
		WHERE repo_key=? AND run_id=? AND status='running'`, pid, startTime, repoKey, id)
	if err != nil {
		return fmt.Errorf("store: record agent of run %s/%s: %w", repoKey, id, err)
	}
	return expectOne(res, "record agent of run", repoKey, id)
}

// RecordPullRequest notes on a run the pull request its agent opened. The run may have
// finished meanwhile: the pull request exists either way.
func (s *Store) RecordPullRequest(ctx context.Context, repoKey, id, url string) error {
	res, err := s.writer(ctx).ExecContext(ctx, `UPDATE runs SET pr_url=? WHERE repo_key=? AND run_id=?`, url, repoKey, id)
	if err != nil {
		return fmt.Errorf("store: record pull request of run %s/%s: %w", repoKey, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: record pull request of run %s/%s: %w", repoKey, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: record pull request of run %s/%s: no such run: %w", repoKey, id, ErrNotFound)
	}
	return nil
}

// MarkInterrupted ends every run still marked running (left behind by a previous process) as
// interrupted with the given reason, and returns how many it ended. Call it once at start-up,
// before the first dispatch.
func (s *Store) MarkInterrupted(ctx context.Context, reason string) (int, error) {
	res, err := s.writer(ctx).ExecContext(ctx, `UPDATE runs SET status='interrupted', ended_at=?,
		error=CASE WHEN error='' THEN ? ELSE error END WHERE status='running'`,
		formatTime(s.now()), s.redact(reason))
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted runs: %w", err)
	}
	return int(n), nil
}

// scrubRun redacts the fields that carry free text from trackers and agents.
func (s *Store) scrubRun(r Run) Run {
	r.IssueTitle = s.redact(r.IssueTitle)
	r.IssueState = s.redact(r.IssueState)
	r.Error = s.redact(r.Error)
	return r
}

func expectOne(res sql.Result, op, repoKey, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %s/%s: %w", op, repoKey, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %s/%s: no running run with that id: %w", op, repoKey, id, ErrNotFound)
	}
	return nil
}
