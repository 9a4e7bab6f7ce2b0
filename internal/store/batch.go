package store

import (
	"context"
	"database/sql"
	"fmt"
)

// batchKey marks a context whose writes join an open batch.
type batchKey struct{}

// openBatch is the transaction a Batch's writes share, tied to the store that opened it.
type openBatch struct {
	store *Store
	tx    *sql.Tx
}

// execer runs one statement.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Batch calls writes with a context under which this store's writes share one transaction,
// committed when writes returns. With synchronous(FULL) every commit costs an fsync of the
// WAL, so a burst of small writes (a poll that dispatches hundreds of issues records a run
// for each, then each agent's process) costs one commit instead of one per write; each
// write is still as durable as before once Batch has returned nil. A write that fails inside
// the batch is undone alone, as it would be on its own, and returns its error as usual; the
// others still commit. When Batch itself fails (it could not begin, or the commit failed),
// no write of the batch can be counted on.
//
// The batch holds SQLite's write lock until it commits, so writes must not wait on anything
// that writes to this store under another context. Reads see the batch's writes only once it
// has committed.
func (s *Store) Batch(ctx context.Context, writes func(ctx context.Context)) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin batch: %w", err)
	}
	writes(context.WithValue(ctx, batchKey{}, &openBatch{store: s, tx: tx}))
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit batch: %w", err)
	}
	return nil
}

// batchOf returns the open batch of this store that ctx carries, if any.
func (s *Store) batchOf(ctx context.Context) *openBatch {
	b, _ := ctx.Value(batchKey{}).(*openBatch)
	if b == nil || b.store != s {
		return nil
	}
	return b
}

// writer is where a one-statement write runs: in the batch ctx carries, else on its own. A
// failed statement changes nothing, so inside a batch it needs no savepoint of its own.
func (s *Store) writer(ctx context.Context) execer {
	if b := s.batchOf(ctx); b != nil {
		return s.in(b.tx)
	}
	return s.in(nil)
}

// inBatch runs a several-statement write inside the open batch b under a savepoint, so a
// failure undoes this write's statements and no other write's.
func (s *Store) inBatch(ctx context.Context, b *openBatch, fn func(*sql.Tx) error) error {
	if _, err := s.in(b.tx).ExecContext(ctx, `SAVEPOINT store_write`); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	if err := fn(b.tx); err != nil {
		// Rolling back to a savepoint keeps it open; releasing it ends it.
		_, _ = s.in(b.tx).ExecContext(ctx, `ROLLBACK TO store_write`)
		_, _ = s.in(b.tx).ExecContext(ctx, `RELEASE store_write`)
		return err
	}
	if _, err := s.in(b.tx).ExecContext(ctx, `RELEASE store_write`); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}
