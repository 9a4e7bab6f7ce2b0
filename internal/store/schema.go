package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; migration i brings the schema to user_version i+1.
// Shipped entries are never edited: a change is a new entry.
var migrations = []string{
	`CREATE TABLE runs (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		repo_key TEXT NOT NULL,
		run_id TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		issue_identifier TEXT NOT NULL DEFAULT '',
		issue_title TEXT NOT NULL DEFAULT '',
		issue_state TEXT NOT NULL DEFAULT '',
		attempt INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL CHECK (status IN ('running','success','failure','timeout','stopped','interrupted','budget_exhausted')),
		started_at TEXT NOT NULL,
		ended_at TEXT,
		error TEXT NOT NULL DEFAULT '',
		workspace_path TEXT NOT NULL DEFAULT '',
		worker_host TEXT NOT NULL DEFAULT '',
		session_id TEXT NOT NULL DEFAULT '',
		transcript_path TEXT NOT NULL DEFAULT '',
		input_tokens INTEGER NOT NULL DEFAULT 0,
		uncached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		total_tokens INTEGER NOT NULL DEFAULT 0,
		runtime_seconds REAL NOT NULL DEFAULT 0,
		UNIQUE (repo_key, run_id)
	);
	CREATE INDEX runs_issue_id ON runs (issue_id, seq);
	CREATE INDEX runs_issue_identifier ON runs (issue_identifier, seq);
	CREATE INDEX runs_repo ON runs (repo_key, seq);
	CREATE INDEX runs_status ON runs (status);

	CREATE TABLE retries (
		repo_key TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		identifier TEXT NOT NULL DEFAULT '',
		attempt INTEGER NOT NULL,
		due_at TEXT NOT NULL,
		error TEXT NOT NULL DEFAULT '',
		reason TEXT NOT NULL DEFAULT '',
		elapsed_ms INTEGER NOT NULL DEFAULT 0,
		worker_host TEXT NOT NULL DEFAULT '',
		workspace_path TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (repo_key, issue_id)
	);

	CREATE TABLE totals (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		input_tokens INTEGER NOT NULL DEFAULT 0,
		uncached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		total_tokens INTEGER NOT NULL DEFAULT 0,
		runtime_seconds REAL NOT NULL DEFAULT 0
	);
	INSERT INTO totals (id) VALUES (1);

	CREATE TABLE daily_usage (
		day TEXT PRIMARY KEY,
		total_tokens INTEGER NOT NULL DEFAULT 0
	);

	CREATE TABLE issue_usage (
		repo_key TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		input_tokens INTEGER NOT NULL DEFAULT 0,
		uncached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		total_tokens INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (repo_key, issue_id)
	);

	CREATE TABLE pause (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		paused INTEGER NOT NULL DEFAULT 0,
		reason TEXT NOT NULL DEFAULT '',
		actor TEXT NOT NULL DEFAULT '',
		since TEXT
	);
	INSERT INTO pause (id) VALUES (1);

	CREATE TABLE audit_head (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		seq INTEGER NOT NULL DEFAULT 0,
		hash TEXT NOT NULL DEFAULT ''
	);
	INSERT INTO audit_head (id) VALUES (1);

	CREATE TABLE kv (
		namespace TEXT NOT NULL,
		key TEXT NOT NULL,
		value BLOB NOT NULL,
		updated_at TEXT NOT NULL,
		PRIMARY KEY (namespace, key)
	);`,
	// One signed checkpoint per UTC day of the audit log: the newest one the keyed log made
	// that day, which after the day rolls is the signature over the day's last record.
	`CREATE TABLE audit_signatures (
		day TEXT PRIMARY KEY,
		seq INTEGER NOT NULL,
		signature TEXT NOT NULL
	);`,
	// The agent supervisor of a running run, by pid and /proc start time, so the next service
	// can make sure it is gone before dispatching again.
	`ALTER TABLE runs ADD COLUMN agent_pid INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE runs ADD COLUMN agent_start_time INTEGER NOT NULL DEFAULT 0;`,
	// How many scoped tool calls a run's agent made, and how many failed.
	`ALTER TABLE runs ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE runs ADD COLUMN tool_failures INTEGER NOT NULL DEFAULT 0;`,
	// The pull request a run's agent opened through github_create_pull_request.
	`ALTER TABLE runs ADD COLUMN pr_url TEXT NOT NULL DEFAULT '';`,
	// SQLite cannot widen a CHECK constraint in place: the runs table is rebuilt to accept
	// rate_limited and awaiting_input, with every column and index as before.
	`CREATE TABLE runs_rebuilt (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		repo_key TEXT NOT NULL,
		run_id TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		issue_identifier TEXT NOT NULL DEFAULT '',
		issue_title TEXT NOT NULL DEFAULT '',
		issue_state TEXT NOT NULL DEFAULT '',
		attempt INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL CHECK (status IN ('running','success','failure','timeout','stopped','interrupted','budget_exhausted','rate_limited','awaiting_input')),
		started_at TEXT NOT NULL,
		ended_at TEXT,
		error TEXT NOT NULL DEFAULT '',
		workspace_path TEXT NOT NULL DEFAULT '',
		worker_host TEXT NOT NULL DEFAULT '',
		session_id TEXT NOT NULL DEFAULT '',
		transcript_path TEXT NOT NULL DEFAULT '',
		input_tokens INTEGER NOT NULL DEFAULT 0,
		uncached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cached_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		total_tokens INTEGER NOT NULL DEFAULT 0,
		runtime_seconds REAL NOT NULL DEFAULT 0,
		agent_pid INTEGER NOT NULL DEFAULT 0,
		agent_start_time INTEGER NOT NULL DEFAULT 0,
		tool_calls INTEGER NOT NULL DEFAULT 0,
		tool_failures INTEGER NOT NULL DEFAULT 0,
		pr_url TEXT NOT NULL DEFAULT '',
		UNIQUE (repo_key, run_id)
	);
	INSERT INTO runs_rebuilt (seq, repo_key, run_id, issue_id, issue_identifier, issue_title, issue_state, attempt,
		status, started_at, ended_at, error, workspace_path, worker_host, session_id, transcript_path, input_tokens,
		uncached_input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens, total_tokens,
		runtime_seconds, agent_pid, agent_start_time, tool_calls, tool_failures, pr_url)
	SELECT seq, repo_key, run_id, issue_id, issue_identifier, issue_title, issue_state, attempt,
		status, started_at, ended_at, error, workspace_path, worker_host, session_id, transcript_path, input_tokens,
		uncached_input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens, total_tokens,
		runtime_seconds, agent_pid, agent_start_time, tool_calls, tool_failures, pr_url FROM runs;
	DROP TABLE runs;
	ALTER TABLE runs_rebuilt RENAME TO runs;
	CREATE INDEX runs_issue_id ON runs (issue_id, seq);
	CREATE INDEX runs_issue_identifier ON runs (issue_identifier, seq);
	CREATE INDEX runs_repo ON runs (repo_key, seq);
	CREATE INDEX runs_status ON runs (status);`,
	// One row per watched pull request and poller (review or ci): the poller's whole record
	// as JSON, so each write-ahead step replaces it in one statement. phase and pr_url are
	// columns so status queries need not decode the record.
	`CREATE TABLE pr_watch (
		repo_key TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		poller TEXT NOT NULL,
		pr_url TEXT NOT NULL,
		phase TEXT NOT NULL,
		record TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		PRIMARY KEY (repo_key, issue_id, poller)
	);`,
	// Repository rules learned from merged pull requests, the merged pull requests already
	// reflected on (so each is captured once, across restarts), and the verification ports
	// held by runs with the dev server that uses each.
	`CREATE TABLE learnings (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		repo_key TEXT NOT NULL,
		rule TEXT NOT NULL,
		tags TEXT NOT NULL,
		evidence_quote TEXT NOT NULL,
		issue_identifier TEXT NOT NULL DEFAULT '',
		issue_url TEXT NOT NULL DEFAULT '',
		pr_number INTEGER NOT NULL DEFAULT 0,
		pr_url TEXT NOT NULL DEFAULT '',
		run_id TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL
	);
	CREATE INDEX learnings_repo ON learnings (repo_key, seq);
	CREATE TABLE learning_captures (
		repo_key TEXT NOT NULL,
		pr_url TEXT NOT NULL,
		outcome TEXT NOT NULL,
		captured_at TEXT NOT NULL,
		PRIMARY KEY (repo_key, pr_url)
	);
	CREATE TABLE verification_ports (
		port INTEGER PRIMARY KEY,
		run_id TEXT NOT NULL UNIQUE,
		repo_key TEXT NOT NULL,
		issue_id TEXT NOT NULL,
		issue_identifier TEXT NOT NULL DEFAULT '',
		server_pid INTEGER NOT NULL DEFAULT 0,
		server_start_time INTEGER NOT NULL DEFAULT 0,
		allocated_at TEXT NOT NULL
	);`,
	// What tokens cost in US dollars (agent.pricing, or the runtime's own figure): per run,
	// and beside each token aggregate so per-issue, per-day and overall costs never disagree
	// with the tokens they price.
	`ALTER TABLE runs ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
	ALTER TABLE totals ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
	ALTER TABLE daily_usage ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
	ALTER TABLE issue_usage ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;`,
	// The SSH worker host that holds a watched pull request's workspace ('' for this machine),
	// so the rework and cleanup a poller starts go back to it.
	`ALTER TABLE pr_watch ADD COLUMN worker_host TEXT NOT NULL DEFAULT '';`,
}

// schemaVersion is the schema version this build writes and reads.
var schemaVersion = len(migrations)

func userVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// migrate brings the schema up to schemaVersion, one transaction per step, so a crash mid-way
// leaves a consistent older version that the next start continues from.
func (s *Store) migrate(ctx context.Context) error {
	for {
		done := false
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			v, err := userVersion(ctx, tx)
			if err != nil {
				return err
			}
			if v > schemaVersion {
				return fmt.Errorf("store: %s has schema version %d, newer than this build's %d; upgrade Symphony", s.path, v, schemaVersion)
			}
			if v == schemaVersion {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("store: migration to schema version %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
				return fmt.Errorf("store: record schema version %d: %w", v+1, err)
			}
			return nil
		})
		if err != nil || done {
			return err
		}
	}
}

// checkSchema refuses to read a store whose schema this build does not know, because readers
// never migrate: the service owns the file's layout.
func (s *Store) checkSchema(ctx context.Context) error {
	v, err := userVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if v != schemaVersion {
		return fmt.Errorf("store: %s has schema version %d but this build reads version %d; start the matching service to migrate it", s.path, v, schemaVersion)
	}
	return nil
}
