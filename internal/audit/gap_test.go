package audit

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// TestRestartAfterTruncationIsRefusedThenRecorded removes the newest records while the service
// is down. Resuming would let new records carry the checkpoint past the hole, so Open refuses;
// with the gap acknowledged it records it, and verify keeps reporting it.
func TestRestartAfterTruncationIsRefusedThenRecorded(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 60)
	lines := readLines(t, f.day("2026-03-16"))
	writeLines(t, f.day("2026-03-16"), lines[:9])
	ctx := context.Background()

	_, err := Open(ctx, Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store})
	if !errors.Is(err, ErrBehindCheckpoint) || !strings.Contains(err.Error(), "ends at sequence 57") || !strings.Contains(err.Error(), "records 58-60 were removed") {
		t.Fatalf("Open after truncation: %v", err)
	}
	l, err := Open(ctx, Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, AcknowledgeGap: true, Now: stepClock(chainStart.Add(60*time.Hour), time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, Event{Type: EventOperatorAction}); err != nil {
		t.Fatal(err)
	}
	seq, _ := l.Head()
	l.Close()
	if seq != 62 {
		t.Fatalf("head = %d, want 62 (gap record 61, then the new record)", seq)
	}
	r := f.verify(t)
	if !r.Intact() || r.CheckpointSeq != 62 || len(r.Gaps) != 1 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
	if g := r.Gaps[0]; g.File != "2026-03-16.ndjson" || g.Line != 10 || g.FirstMissing != 58 || g.LastMissing != 60 {
		t.Fatalf("gap = %+v", g)
	}
	// Removing one more record before the acknowledged gap is still a break.
	lines = readLines(t, f.day("2026-03-16"))
	writeLines(t, f.day("2026-03-16"), append(lines[:8], lines[9:]...))
	if r := f.verify(t); r.Intact() {
		t.Fatal("deleting the record before an acknowledged gap went unnoticed")
	}
}

func TestRestartAfterRewriteIsRefused(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 30)
	rechain(t, f.day("2026-03-15"), 5, func(r *Record) { r.Details["tool"] = "rm" })
	_, err := Open(context.Background(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, AcknowledgeGap: true})
	if !errors.Is(err, ErrCheckpointMismatch) || !strings.Contains(err.Error(), "sequence 30") {
		t.Fatalf("Open after rewriting the last record: %v", err)
	}
}
