package store

import (
	"context"
	"fmt"
)

// AuditHead returns the last audit record the log checkpointed: its sequence number and hash.
// A zero sequence means nothing has been checkpointed yet.
func (s *Store) AuditHead(ctx context.Context) (uint64, string, error) {
	var seq int64
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id=1`).Scan(&seq, &hash); err != nil {
		return 0, "", fmt.Errorf("store: read audit head: %w", err)
	}
	return uint64(seq), hash, nil
}

// SetAuditHead checkpoints the audit log's head. The checkpoint only moves forward: an older
// sequence is ignored, so a late writer can never hide records that were already checkpointed.
func (s *Store) SetAuditHead(ctx context.Context, seq uint64, hash string) error {
	if seq == 0 || len(hash) != 64 {
		return fmt.Errorf("store: set audit head: sequence %d and a 64-hex-digit hash are required", seq)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE audit_head SET seq=?, hash=? WHERE id=1 AND seq < ?`, int64(seq), hash, int64(seq))
	if err != nil {
		return fmt.Errorf("store: set audit head: %w", err)
	}
	return nil
}
