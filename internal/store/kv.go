package store

import (
	"context"
	"database/sql"
	"fmt"
)

// PutValue stores value under (namespace, key), replacing any earlier value. Pollers use a
// namespace each (for example "github.pr") so their keys cannot collide. The value is opaque
// and stored unscrubbed: it is the poller's own state (cursors, ETags), never tracker text.
func (s *Store) PutValue(ctx context.Context, namespace, key string, value []byte) error {
	if namespace == "" || key == "" {
		return fmt.Errorf("store: put value: namespace %q and key %q are both required", namespace, key)
	}
	if value == nil {
		value = []byte{}
	}
	_, err := s.writer(ctx).ExecContext(ctx, `INSERT INTO kv (namespace, key, value, updated_at) VALUES (?,?,?,?)
		ON CONFLICT (namespace, key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at`,
		namespace, key, value, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: put value %s/%s: %w", namespace, key, err)
	}
	return nil
}

// Value returns the value stored under (namespace, key) and whether there was one.
func (s *Store) Value(ctx context.Context, namespace, key string) ([]byte, bool, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM kv WHERE namespace=? AND key=?`, namespace, key).Scan(&v)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: read value %s/%s: %w", namespace, key, err)
	}
	return v, true, nil
}

// DeleteValue removes (namespace, key); a missing key is not an error.
func (s *Store) DeleteValue(ctx context.Context, namespace, key string) error {
	if _, err := s.writer(ctx).ExecContext(ctx, `DELETE FROM kv WHERE namespace=? AND key=?`, namespace, key); err != nil {
		return fmt.Errorf("store: delete value %s/%s: %w", namespace, key, err)
	}
	return nil
}
