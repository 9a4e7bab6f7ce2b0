package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	// The pure-Go SQLite driver keeps the binary CGO-free.
	_ "modernc.org/sqlite"
)

// FileName is the store's file name inside the state root.
const FileName = "symphony.db"

// ErrNoStore reports that a read-only open found no store file; the service has not run yet.
var ErrNoStore = errors.New("store: no run store")

// Options says where the store lives and how it is opened.
type Options struct {
	// StateRoot is the directory holding the store file; it is created 0700 when missing.
	StateRoot string
	// ReadOnly opens an existing store for reading (API, CLI) without creating or migrating it.
	ReadOnly bool
	// BusyTimeout bounds how long a statement waits for another connection's lock.
	// Zero means five seconds.
	BusyTimeout time.Duration
	// Now is the clock used for default timestamps; nil means time.Now.
	Now func() time.Time
	// Redactor scrubs secrets from free-text fields (titles, errors, reasons) before they are
	// written. Required unless ReadOnly. Key/value payloads are stored as given.
	Redactor Redactor
}

// Redactor scrubs secrets from text; internal/secretscan provides the shared one.
type Redactor interface {
	Redact(text string) string
}

// Store is an open run store. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	path   string
	now    func() time.Time
	redact func(string) string
	// stmts holds the prepared write statements by their text (see prepared.go).
	stmts sync.Map
}

// Path returns the store file path for a state root.
func Path(stateRoot string) string { return filepath.Join(stateRoot, FileName) }

// Open opens (and unless ReadOnly, creates and migrates) the store under opts.StateRoot.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.StateRoot == "" {
		return nil, errors.New("store: Options.StateRoot is empty")
	}
	path := Path(opts.StateRoot)
	// The driver splits its DSN at the first '?', so such a path would be misread.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("store: state root %q contains '?', which the SQLite driver cannot open", opts.StateRoot)
	}
	if !opts.ReadOnly && opts.Redactor == nil {
		return nil, errors.New("store: Options.Redactor is required to write; errors and titles must be scrubbed of secrets")
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%w at %s (start the service once to create it)", ErrNoStore, path)
			}
			return nil, fmt.Errorf("store: %w", err)
		}
	} else if err := createPrivateFile(opts.StateRoot, path); err != nil {
		return nil, err
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	db, err := sql.Open("sqlite", dsn(path, busy, opts.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// A burst of session starts (a poll dispatching hundreds of issues) reads the store from
	// as many goroutines at once. Unbounded, database/sql would open a connection for each
	// (the file, the pragmas, a page cache) and close all but two again; a few kept open
	// serve the burst in turn, and SQLite serialises writers anyway.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, path: path, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Redactor != nil {
		s.redact = opts.Redactor.Redact
	} else {
		// Only a read-only store gets here, and SQLite refuses its writes anyway.
		s.redact = func(text string) string { return text }
	}
	if opts.ReadOnly {
		err = s.checkSchema(ctx)
	} else {
		err = s.migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// maxConns bounds the store's connections. No store method holds one connection while it
// asks for another (a transaction uses only its own), so callers queue for a free one and
// never wait on each other.
const maxConns = 4

// createPrivateFile makes the state root (0700) and the store file (0600) before SQLite does,
// because SQLite would create them with the process umask and its WAL files copy the mode.
func createPrivateFile(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: create state root: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	return f.Close()
}

// dsn builds the driver string. synchronous(FULL) makes every commit durable before it returns;
// _txlock=immediate takes the write lock at BEGIN so concurrent writers queue on busy_timeout
// instead of failing with SQLITE_BUSY when they upgrade a read lock.
func dsn(path string, busy time.Duration, readOnly bool) string {
	q := []string{
		"_pragma=busy_timeout(" + fmt.Sprint(busy.Milliseconds()) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_txlock=immediate",
	}
	if readOnly {
		q = append(q, "_pragma=query_only(1)")
	}
	return path + "?" + strings.Join(q, "&")
}

// Close releases the store.
func (s *Store) Close() error {
	s.closeStatements()
	return s.db.Close()
}

// inTx runs fn in one immediate transaction and commits it, or inside the batch ctx carries.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if b := s.batchOf(ctx); b != nil {
		return s.inBatch(ctx, b, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// timeLayout has a fixed width so stored timestamps also sort correctly as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(v sql.NullString) (time.Time, error) {
	if !v.Valid || v.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad timestamp %q: %w", v.String, err)
	}
	return t, nil
}
