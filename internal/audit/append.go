package audit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Append scrubs, chains and writes one record and returns it as written. The line reaches the
// file before Append returns, so a crash of this process cannot lose it; the fsync that makes
// it survive a power loss follows within FlushInterval, or call Sync.
func (l *Log) Append(ctx context.Context, ev Event) (Record, error) {
	rec, err := l.build(ev)
	if err != nil {
		return Record{}, err
	}
	recs := []Record{rec}
	if _, err := l.write(ctx, recs); err != nil {
		return Record{}, err
	}
	if recs[0].fields != nil {
		recs[0].Details, recs[0].fields = recs[0].fields.Map(), nil
	}
	return recs[0], nil
}

// maxKeptBatch bounds the record array a Log keeps for the next AppendBatch.
const maxKeptBatch = 1024

// AppendBatch scrubs and chains evs in order and writes them with one write per day file they
// fall in, then fsyncs at most once, when the records waiting for an fsync reach MaxBatch.
// Like Append, every line is in the file when it returns. An event that cannot be recorded
// (a type that is not lower_snake_case, details that are not a JSON object) is left out and
// named in the error while the others are still written; it returns how many records were
// written. Unlike Append it does not return them, so the records of one batch are built in
// an array the next batch reuses.
func (l *Log) AppendBatch(ctx context.Context, evs []Event) (int, error) {
	recs := l.takeBatch(len(evs))
	defer l.keepBatch(recs)
	var refused []error
	for _, ev := range evs {
		rec, err := l.build(ev)
		if err != nil {
			refused = append(refused, err)
			continue
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return 0, errors.Join(refused...)
	}
	written, err := l.write(ctx, recs)
	return written, errors.Join(append(refused, err)...)
}

// takeBatch returns an empty record array for n records, the one kept from the last batch
// when no other batch holds it.
func (l *Log) takeBatch(n int) []Record {
	l.batchMu.Lock()
	recs := l.spareBatch
	l.spareBatch = nil
	l.batchMu.Unlock()
	if cap(recs) < n {
		return make([]Record, 0, n)
	}
	return recs
}

// keepBatch keeps recs, emptied so their details are not kept alive, for the next batch.
func (l *Log) keepBatch(recs []Record) {
	if cap(recs) > maxKeptBatch {
		return
	}
	clear(recs)
	l.batchMu.Lock()
	l.spareBatch = recs[:0]
	l.batchMu.Unlock()
}

// write chains and writes recs, checkpointing what an fsync made durable, and returns how
// many were written.
func (l *Log) write(ctx context.Context, recs []Record) (int, error) {
	l.mu.Lock()
	written, synced, err := l.writeLocked(recs)
	l.mu.Unlock()
	if synced.seq != 0 {
		l.checkpoint(ctx, synced)
	}
	return written, err
}

// build scrubs ev into an unchained record; every string is scanned once (see scrubDetails).
// The record's details share the maps of ev's that redaction left unchanged.
func (l *Log) build(ev Event) (Record, error) {
	if !validEventType(ev.Type) {
		return Record{}, fmt.Errorf("audit: event type %q must be lower_snake_case, 1-64 characters", ev.Type)
	}
	details, fields, err := scrubEventDetails(ev, l.opts.Redactor)
	if err != nil {
		return Record{}, fmt.Errorf("audit: %s event details: %w", ev.Type, err)
	}
	red := l.opts.Redactor.Redact
	rec := Record{
		Schema:          SchemaVersion,
		IssueID:         red(ev.IssueID),
		IssueIdentifier: red(ev.IssueIdentifier),
		RepoKey:         red(ev.RepoKey),
		RunID:           red(ev.RunID),
		SessionID:       red(ev.SessionID),
		EventType:       ev.Type,
		Details:         details,
		fields:          fields,
	}
	at := ev.Time
	if at.IsZero() {
		at = l.opts.Now()
	}
	rec.Time = at.UTC()
	return rec, nil
}

// maxKeptLineBuf bounds the line buffer a Log keeps between batches.
const maxKeptLineBuf = 1 << 20

// writeLocked chains recs after the head and writes them, one write per run of records that
// share a day file. The head moves only past runs that were written whole, so a failed write
// leaves the chain where the file ends. It returns how many records were written and the head
// an fsync made durable, or a zero position.
func (l *Log) writeLocked(recs []Record) (int, position, error) {
	switch {
	case l.closed:
		return 0, position{}, errors.New("audit: log is closed")
	case l.broken != nil:
		return 0, position{}, l.broken
	}
	seq, prev, lastDay := max(l.lastSeq, l.skipTo), l.lastHash, l.lastDay
	buf := l.lineBuf[:0]
	// A batch of ordinary records fits in the buffer kept from the last one; an unusually
	// large batch does not stay allocated.
	defer func() {
		if cap(buf) <= maxKeptLineBuf {
			l.lineBuf = buf[:0]
		}
	}()
	runStart, runDay := 0, ""
	for i := range recs {
		rec := &recs[i]
		seq++
		rec.Seq, rec.PreviousHash = seq, prev
		// A clock stepping back must not put a record in an earlier file than its
		// predecessor, or the files would no longer list the chain in order.
		day := laterDay(rec.Time, lastDay)
		if runDay != "" && day != runDay {
			if err := l.writeRun(runDay, buf, recs[runStart:i]); err != nil {
				return runStart, position{}, err
			}
			buf, runStart = buf[:0], i
		}
		runDay, lastDay = day, day
		var err error
		buf, err = appendSealed(buf, rec)
		if err != nil {
			if werr := l.writeRun(runDay, buf, recs[runStart:i]); werr != nil {
				return runStart, position{}, werr
			}
			return i, position{}, fmt.Errorf("audit: encode %s record: %w", rec.EventType, err)
		}
		buf = append(buf, '\n')
		prev = rec.RecordHash
	}
	if err := l.writeRun(runDay, buf, recs[runStart:]); err != nil {
		return runStart, position{}, err
	}
	if l.pending < l.opts.MaxBatch {
		return len(recs), position{}, nil
	}
	synced, err := l.syncLocked()
	return len(recs), synced, err
}

// writeRun writes the sealed lines of run, all of day, in one write and moves the head to its
// last record.
func (l *Log) writeRun(day string, lines []byte, run []Record) error {
	if len(run) == 0 {
		return nil
	}
	if err := l.useDay(day); err != nil {
		return err
	}
	if n, err := l.file.Write(lines); err != nil {
		l.undoPartialWrite(n)
		return fmt.Errorf("audit: write records %d-%d to %s: %w", run[0].Seq, run[len(run)-1].Seq, l.file.Name(), err)
	}
	last := run[len(run)-1]
	l.size += int64(len(lines))
	l.lastSeq, l.lastHash, l.lastDay = last.Seq, last.RecordHash, day
	if l.pending == 0 {
		l.markDirty()
	}
	l.pending += len(run)
	return nil
}

// laterDay is the later of t's day and day, without allocating the name of t's day unless it
// is the later one: nearly every record falls on the day of the one before it.
func laterDay(t time.Time, day string) string {
	var buf [len(time.DateOnly) + 4]byte
	name := appendDay(buf[:0], t)
	if string(name) <= day {
		return day
	}
	return string(name)
}
