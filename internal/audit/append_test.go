package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A batch spanning midnight lands in both day files in chain order; an event the log refuses
// is named in the error and the rest are still written.
func TestAppendBatchAcrossDaysSkipsOnlyRefusedEvents(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	midnight := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	var evs []Event
	for i := range 6 {
		evs = append(evs, Event{Time: midnight.Add(time.Duration(i-3) * time.Minute), Type: EventCommandExecuted, Details: map[string]any{"n": i}})
	}
	evs[4].Type = "Not-Snake"
	written, err := l.AppendBatch(context.Background(), evs)
	if err == nil || !strings.Contains(err.Error(), `"Not-Snake"`) {
		t.Fatalf("error %v does not name the refused event type", err)
	}
	if written != 5 {
		t.Fatalf("%d records written, want the 5 valid ones", written)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(readLines(t, f.day("2026-03-14"))) - 1; got != 3 {
		t.Errorf("2026-03-14 holds %d records, want the 3 before midnight", got)
	}
	if got := len(readLines(t, f.day("2026-03-15"))) - 1; got != 2 {
		t.Errorf("2026-03-15 holds %d records, want the 2 valid ones after midnight", got)
	}
	if r := f.verify(t); !r.Intact() || r.Records != 5 || r.CheckpointSeq != 5 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
}

// flakyHead refuses the first checkpoints it is asked for.
type flakyHead struct {
	memHead
	refuse atomic.Int32
}

func (h *flakyHead) SetAuditHead(ctx context.Context, seq uint64, hash string) error {
	if h.refuse.Add(-1) >= 0 {
		return errors.New("store busy")
	}
	return h.memHead.SetAuditHead(ctx, seq, hash)
}

// The flush loop sleeps while nothing waits for an fsync, yet a checkpoint the store refused
// is still retried without another append or an explicit Sync.
func TestRefusedCheckpointIsRetriedWhileIdle(t *testing.T) {
	head := &flakyHead{}
	head.refuse.Store(3)
	newFixture(t).appendOneAndAwaitCheckpoint(t, head, func() string {
		return fmt.Sprintf("the checkpoint was never retried; %d refusals left", head.refuse.Load())
	}).Close()
}
