package store

import (
	"context"
	"database/sql"
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
	_, err := s.writer(ctx).ExecContext(ctx, `UPDATE audit_head SET seq=?, hash=? WHERE id=1 AND seq < ?`, int64(seq), hash, int64(seq))
	if err != nil {
		return fmt.Errorf("store: set audit head: %w", err)
	}
	return nil
}

// SetSignedAuditHead checkpoints the audit log's head and keeps signature as day's signed
// checkpoint, in one transaction so the head is never ahead of its signature. Like the head,
// a day's signature only moves forward. The signature is opaque text the audit log made.
func (s *Store) SetSignedAuditHead(ctx context.Context, seq uint64, hash, day, signature string) error {
	if seq == 0 || len(hash) != 64 || day == "" || signature == "" {
		return fmt.Errorf("store: set signed audit head: sequence %d, a 64-hex-digit hash, a day and a signature are required", seq)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.in(tx).ExecContext(ctx, `UPDATE audit_head SET seq=?, hash=? WHERE id=1 AND seq < ?`, int64(seq), hash, int64(seq)); err != nil {
			return fmt.Errorf("store: set signed audit head: %w", err)
		}
		_, err := s.in(tx).ExecContext(ctx, `INSERT INTO audit_signatures (day, seq, signature) VALUES (?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET seq=excluded.seq, signature=excluded.signature WHERE excluded.seq > audit_signatures.seq`,
			day, int64(seq), signature)
		if err != nil {
			return fmt.Errorf("store: keep audit signature for %s: %w", day, err)
		}
		return nil
	})
}

// AuditSignatures returns every day's signed checkpoint, oldest day first.
func (s *Store) AuditSignatures(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT signature FROM audit_signatures ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("store: read audit signatures: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sig string
		if err := rows.Scan(&sig); err != nil {
			return nil, fmt.Errorf("store: read audit signatures: %w", err)
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read audit signatures: %w", err)
	}
	return out, nil
}
