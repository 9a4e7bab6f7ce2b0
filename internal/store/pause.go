package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Pause is the operator's dispatch switch, kept across restarts.
type Pause struct {
	Paused bool      `json:"paused"`
	Reason string    `json:"reason,omitempty"`
	Actor  string    `json:"actor,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// SetPause records the pause state. Pausing requires a reason so the dashboard can say why;
// Since defaults to now when pausing.
func (s *Store) SetPause(ctx context.Context, p Pause) error {
	if p.Paused && p.Reason == "" {
		return fmt.Errorf("store: set pause: a reason is required when pausing")
	}
	if !p.Paused {
		p = Pause{}
	} else if p.Since.IsZero() {
		p.Since = s.now()
	}
	_, err := s.writer(ctx).ExecContext(ctx, `UPDATE pause SET paused=?, reason=?, actor=?, since=? WHERE id=1`,
		p.Paused, s.redact(p.Reason), s.redact(p.Actor), formatTime(p.Since))
	if err != nil {
		return fmt.Errorf("store: set pause: %w", err)
	}
	return nil
}

// Pause returns the recorded pause state.
func (s *Store) Pause(ctx context.Context) (Pause, error) {
	var p Pause
	var since sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT paused, reason, actor, since FROM pause WHERE id=1`).Scan(
		&p.Paused, &p.Reason, &p.Actor, &since)
	if err != nil {
		return Pause{}, fmt.Errorf("store: read pause: %w", err)
	}
	if p.Since, err = parseTime(since); err != nil {
		return Pause{}, err
	}
	return p, nil
}
