package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The pure-Go SQLite compiles a statement's text on every call unless it is prepared, and
// parsing costs about as much as running one of the store's small writes. The writes are a
// fixed set of texts, so each is prepared once (database/sql then keeps it per connection)
// and reused.

// preparedExec runs statements prepared once per store, in tx when it is set.
type preparedExec struct {
	s  *Store
	tx *sql.Tx
}

// in runs statements prepared once per store, in tx or, when tx is nil, on their own.
func (s *Store) in(tx *sql.Tx) execer { return preparedExec{s: s, tx: tx} }

func (p preparedExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.tx != nil {
		st = p.tx.StmtContext(ctx, st)
	}
	return st.ExecContext(ctx, args...)
}

// prepared returns the store's prepared statement for query, preparing it the first time.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	if earlier, raced := s.stmts.LoadOrStore(query, st); raced {
		st.Close()
		return earlier.(*sql.Stmt), nil
	}
	return st, nil
}

// closeStatements closes every prepared statement, before the database closes.
func (s *Store) closeStatements() {
	s.stmts.Range(func(query, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}
