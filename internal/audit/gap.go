package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// EventGapAcknowledged is written when the service resumes a log that ends before the run
// store's checkpoint because the operator chose to (Options.AcknowledgeGap).
const EventGapAcknowledged = "audit_gap_acknowledged"

var (
	// ErrBehindCheckpoint reports that the newest checkpointed records are missing from the log.
	ErrBehindCheckpoint = errors.New("audit: log ends before its checkpoint")
	// ErrCheckpointMismatch reports that the log's last record is not the one checkpointed.
	ErrCheckpointMismatch = errors.New("audit: log's last record does not match its checkpoint")
)

// Gap is a stretch of sequence numbers the operator acknowledged as lost when resuming.
type Gap struct {
	File         string    `json:"file"`
	Line         int       `json:"line"`
	FirstMissing uint64    `json:"first_missing"`
	LastMissing  uint64    `json:"last_missing"`
	At           time.Time `json:"acknowledged_at"`
}

// checkHead compares the resumed tail with the checkpoint, so that records removed while the
// service was down are noticed before new records could carry the checkpoint past the hole.
// It returns the checkpointed sequence when the log is behind it.
func (l *Log) checkHead(ctx context.Context) (uint64, string, error) {
	ckSeq, ckHash, err := l.opts.Head.AuditHead(ctx)
	if err != nil {
		return 0, "", fmt.Errorf("audit: read checkpoint: %w", err)
	}
	switch {
	case ckSeq > l.lastSeq:
		if l.opts.AcknowledgeGap {
			return ckSeq, ckHash, nil
		}
		return 0, "", fmt.Errorf("%w: the log in %s ends at sequence %d but the run store's checkpoint is sequence %d (hash %s), so records %d-%d were removed; run `symphony audit verify`, restore them from a backup, or start again with --acknowledge-audit-gap to resume with the gap recorded in the chain",
			ErrBehindCheckpoint, l.opts.Dir, l.lastSeq, ckSeq, short(ckHash), l.lastSeq+1, ckSeq)
	case ckSeq != 0 && ckSeq == l.lastSeq && ckHash != l.lastHash:
		return 0, "", fmt.Errorf("%w: sequence %d in %s has hash %s but the run store's checkpoint says %s, so the log was rewritten; run `symphony audit verify` and restore the audit directory from a backup",
			ErrCheckpointMismatch, ckSeq, l.opts.Dir, short(l.lastHash), short(ckHash))
	}
	return 0, "", nil
}

// recordGap appends the acknowledgment numbered just past the checkpoint and linked to the
// log's real last record, so verify sees exactly which sequences are missing and that the
// gap was accepted, and the checkpoint can move on without hiding it.
func (l *Log) recordGap(ctx context.Context, ckSeq uint64, ckHash string) error {
	l.mu.Lock()
	logEnd, logEndHash := l.lastSeq, l.lastHash
	l.skipTo = ckSeq
	l.mu.Unlock()
	_, err := l.Append(ctx, Event{Type: EventGapAcknowledged, Details: map[string]any{
		"log_end_seq":     logEnd,
		"log_end_hash":    logEndHash,
		"checkpoint_seq":  ckSeq,
		"checkpoint_hash": ckHash,
	}})
	if err != nil {
		return err
	}
	return l.Sync(ctx)
}

// acceptGap reports whether a record that skips from expectSeq to rec.Seq while linking to
// the previous record is an acknowledgment describing exactly that skip.
func (v *verifier) acceptGap(file string, ln line, rec chainFields) bool {
	if rec.Seq <= v.expectSeq {
		return false
	}
	full, err := decodeLine(ln.Data)
	if err != nil || full.EventType != EventGapAcknowledged {
		return false
	}
	if detailUint(full.Details, "log_end_seq") != v.expectSeq-1 || detailUint(full.Details, "checkpoint_seq") != rec.Seq-1 {
		return false
	}
	v.report.Gaps = append(v.report.Gaps, Gap{File: file, Line: ln.No, FirstMissing: v.expectSeq, LastMissing: rec.Seq - 1, At: full.Time})
	return true
}

func detailUint(d map[string]any, key string) uint64 {
	n, ok := d[key].(json.Number)
	if !ok {
		return 0
	}
	u, err := strconv.ParseUint(string(n), 10, 64)
	if err != nil {
		return 0
	}
	return u
}
