package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Redactor scrubs secrets from text before it is written; the shared secret scanner
// (internal/secretscan) is the one Symphony uses.
type Redactor interface {
	Redact(text string) string
}

// HeadStore keeps the chain's checkpoint outside the audit directory, so deleting the newest
// records or files is noticed; *store.Store implements it.
type HeadStore interface {
	AuditHead(ctx context.Context) (seq uint64, hash string, err error)
	SetAuditHead(ctx context.Context, seq uint64, hash string) error
}

// The fsync policy a Log gets unless its Options say otherwise (docs/security.md states it).
const (
	// DefaultFlushInterval bounds how long a written record can be lost to a machine crash.
	DefaultFlushInterval = 100 * time.Millisecond
	// DefaultMaxBatch also bounds it in records, for a flood that writes thousands a
	// second. Every fsync is followed by a checkpoint commit in the run store, which fsyncs
	// too: at 256, 50 agents streaming 20 MiB/s between them made about 60 of each a second,
	// and the service spent 10-12% more CPU than at this size, where the interval decides.
	DefaultMaxBatch = 4096
)

// Options configures a Log.
type Options struct {
	// Dir is the audit directory, normally Dir(stateRoot).
	Dir string
	// Redactor scrubs every string in a record before it is hashed and written. Required.
	Redactor Redactor
	// Head checkpoints the chain's head after each fsync. Required.
	Head HeadStore
	// FlushInterval is the longest a written record waits for its fsync; zero means
	// DefaultFlushInterval.
	FlushInterval time.Duration
	// MaxBatch forces an fsync at the end of the append or batch that leaves this many records
	// waiting for one; zero means DefaultMaxBatch.
	MaxBatch int
	// PreviewChars bounds a prompt's redacted preview, in characters; zero means 200.
	PreviewChars int
	// Now is the clock stamped on records; nil means time.Now.
	Now func() time.Time
	// AcknowledgeGap lets Open resume a log whose newest checkpointed records are missing,
	// recording the gap in the chain (verify then reports it as acknowledged). Without it,
	// Open refuses with ErrBehindCheckpoint.
	AcknowledgeGap bool
	// SigningKey, when set, signs every checkpoint and the last record of every day file, so
	// a log rewritten by someone without the key no longer verifies under its public key.
	// Head must then be a SignedHeadStore. Read it with SigningKeyFromEnv; nil leaves the log
	// unkeyed.
	SigningKey ed25519.PrivateKey
}

// position is a place in the chain: a record's sequence, its day file and its hash.
type position struct {
	seq       uint64
	day, hash string
}

// Event is what a caller records; the log adds sequence, time and hashes.
type Event struct {
	// Time defaults to the log's clock.
	Time            time.Time
	IssueID         string
	IssueIdentifier string
	RepoKey         string
	RunID           string
	SessionID       string
	Type            string
	// Details must encode as a JSON object; every string in it, keys included, is redacted.
	Details map[string]any
	// Fields are details of strings and integers given without a map, stored exactly as
	// Details holding Fields.Map() would be; an event sets Details or Fields, not both.
	Fields Fields
}

// Log appends records to the chain. Appends are serialized; it is safe for concurrent use.
type Log struct {
	opts Options
	lock *os.File

	mu       sync.Mutex
	file     *os.File
	fileDay  string
	size     int64
	lastSeq  uint64
	lastHash string
	lastDay  string
	// skipTo is the sequence an acknowledged gap ends at: the next record is numbered after
	// it while lastSeq still names the last record really written.
	skipTo uint64
	// lastRecord is the chain's last record as found at Open; only repair bookkeeping uses it.
	lastRecord *Record
	pending    int
	// lineBuf is reused to seal each batch's lines.
	lineBuf []byte
	// spareBatch is the record array of the last AppendBatch, emptied, for the next one;
	// batchMu guards it, since batches are built before mu is taken.
	batchMu    sync.Mutex
	spareBatch []Record
	broken     error
	closed     bool
	flushErr   error

	// checkpointed is the highest sequence the head store accepted, so an idle log does not
	// write the same checkpoint again on every flush tick; a failed one is retried.
	checkpointed atomic.Uint64

	// dirty wakes the flush loop when records start waiting for an fsync; an idle log runs
	// no timer.
	dirty chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

// validEventType reports whether typ is lower_snake_case of 1-64 characters starting with a
// letter ([a-z][a-z0-9_]{0,63}); every record is checked, so it is a loop, not a regexp.
func validEventType(typ string) bool {
	if len(typ) == 0 || len(typ) > 64 || typ[0] < 'a' || typ[0] > 'z' {
		return false
	}
	for i := 1; i < len(typ); i++ {
		if c := typ[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Open resumes the chain in opts.Dir (creating it 0700), repairing a torn final line left by a
// crash by moving it to a side file and recording the repair as the next record.
func Open(ctx context.Context, opts Options) (*Log, error) {
	switch {
	case opts.Dir == "":
		return nil, errors.New("audit: Options.Dir is empty")
	case opts.Redactor == nil:
		return nil, errors.New("audit: Options.Redactor is required; records must be scrubbed before they are written")
	case opts.Head == nil:
		return nil, errors.New("audit: Options.Head is required; without a checkpoint, deleting the newest records would go unnoticed")
	case opts.SigningKey != nil && len(opts.SigningKey) != ed25519.PrivateKeySize:
		return nil, fmt.Errorf("audit: Options.SigningKey is %d bytes, not an ed25519 private key", len(opts.SigningKey))
	case opts.FlushInterval < 0 || opts.MaxBatch < 0 || opts.PreviewChars < 0:
		return nil, fmt.Errorf("audit: FlushInterval %v, MaxBatch %d and PreviewChars %d must not be negative", opts.FlushInterval, opts.MaxBatch, opts.PreviewChars)
	}
	if _, ok := opts.Head.(SignedHeadStore); opts.SigningKey != nil && !ok {
		return nil, errors.New("audit: Options.Head cannot keep signed checkpoints, so a keyed log cannot use it")
	}
	if opts.FlushInterval == 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.PreviewChars == 0 {
		opts.PreviewChars = 200
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: create %s: %w", opts.Dir, err)
	}
	// MkdirAll leaves an existing directory's mode alone; the log is private either way.
	if err := os.Chmod(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: restrict %s to its owner: %w", opts.Dir, err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	l := &Log{opts: opts, lock: lock, lastHash: GenesisHash, dirty: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	fragments, err := l.resume()
	if err != nil {
		lock.Close()
		return nil, err
	}
	ckSeq, ckHash, err := l.checkHead(ctx)
	if err != nil {
		lock.Close()
		return nil, err
	}
	var unsigned *unsignedStretch
	if opts.SigningKey != nil {
		if unsigned, err = l.checkSignedHead(ctx); err != nil {
			lock.Close()
			return nil, err
		}
	}
	go l.flushLoop()
	if ckSeq > 0 {
		if err := l.recordGap(ctx, ckSeq, ckHash); err != nil {
			l.Close()
			return nil, err
		}
	}
	for _, frag := range fragments {
		if err := l.recordRepair(ctx, frag); err != nil {
			l.Close()
			return nil, err
		}
	}
	if unsigned != nil {
		if err := l.recordAdoption(ctx, *unsigned); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// recordRepair appends the repair record for a torn fragment and only then marks the side file
// done, so a crash in between makes the next start record it again rather than never.
func (l *Log) recordRepair(ctx context.Context, frag tornFragment) error {
	if !frag.recordedBy(l.lastRecord, l.opts.Dir) {
		if _, err := l.Append(ctx, frag.event(l.opts.Dir)); err != nil {
			return err
		}
		if err := l.Sync(ctx); err != nil {
			return err
		}
	}
	if err := os.Rename(frag.Path, frag.finalPath()); err != nil {
		return fmt.Errorf("audit: mark torn fragment recorded: %w", err)
	}
	return syncDir(filepath.Dir(frag.Path))
}

// undoPartialWrite cuts off the bytes of a failed write so the next record does not follow
// half a line; if that fails too the log refuses further appends rather than corrupt the chain.
func (l *Log) undoPartialWrite(n int) {
	if n == 0 {
		return
	}
	if err := l.file.Truncate(l.size); err != nil {
		l.broken = fmt.Errorf("audit: %s holds a partial record that could not be removed (%v); appends stopped", l.file.Name(), err)
	}
}

// useDay makes the open file the one for day, fsyncing and closing the previous day's file.
// A keyed log leaving a day signs its last record first.
func (l *Log) useDay(day string) error {
	if l.file != nil && l.fileDay == day {
		return nil
	}
	if l.file != nil {
		if _, err := l.syncLocked(); err != nil {
			return err
		}
		if err := l.file.Close(); err != nil {
			return fmt.Errorf("audit: close %s: %w", l.file.Name(), err)
		}
		l.file = nil
	}
	if l.opts.SigningKey != nil && l.lastSeq > 0 && l.lastDay != day {
		l.signDayEndLocked(l.head())
	}
	path := filepath.Join(l.opts.Dir, fileName(day))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: open %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit: stat %s: %w", path, err)
	}
	if err := syncDir(l.opts.Dir); err != nil {
		f.Close()
		return err
	}
	l.file, l.fileDay, l.size = f, day, fi.Size()
	return nil
}

// signDayEndLocked signs the last record of the day the chain is leaving before the next
// day's file exists, so a verifier that sees the later file also sees the signature closing
// the earlier one. It happens once a day, so holding the lock across the store write costs
// nothing; a failure is returned by the next Sync or Close, like a failed checkpoint.
func (l *Log) signDayEndLocked(pos position) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.signedCheckpoint(ctx, pos); err != nil {
		l.flushErr = fmt.Errorf("audit: sign the end of %s (sequence %d): %w", pos.day, pos.seq, err)
		return
	}
	l.markCheckpointed(pos.seq)
}

func (l *Log) head() position { return position{seq: l.lastSeq, day: l.lastDay, hash: l.lastHash} }

// syncLocked fsyncs the open file and returns the head it made durable.
func (l *Log) syncLocked() (position, error) {
	if l.pending == 0 || l.file == nil {
		return l.head(), nil
	}
	if err := l.file.Sync(); err != nil {
		return position{}, fmt.Errorf("audit: fsync %s: %w", l.file.Name(), err)
	}
	l.pending = 0
	return l.head(), nil
}

// checkpoint records a durable head in the store, signed when the log is keyed. A failure
// does not stop logging; it is returned by the next Sync or Close so the caller hears of it.
func (l *Log) checkpoint(ctx context.Context, pos position) {
	if pos.seq == 0 || pos.seq <= l.checkpointed.Load() {
		return
	}
	var err error
	if l.opts.SigningKey != nil {
		err = l.signedCheckpoint(ctx, pos)
	} else {
		err = l.opts.Head.SetAuditHead(ctx, pos.seq, pos.hash)
	}
	if err != nil {
		l.mu.Lock()
		l.flushErr = fmt.Errorf("audit: checkpoint head %d: %w", pos.seq, err)
		l.mu.Unlock()
		return
	}
	l.markCheckpointed(pos.seq)
}

func (l *Log) markCheckpointed(seq uint64) {
	for {
		cur := l.checkpointed.Load()
		if seq <= cur || l.checkpointed.CompareAndSwap(cur, seq) {
			return
		}
	}
}

func (l *Log) signedCheckpoint(ctx context.Context, pos position) error {
	sig, err := signCheckpoint(l.opts.SigningKey, pos)
	if err != nil {
		return err
	}
	return l.opts.Head.(SignedHeadStore).SetSignedAuditHead(ctx, pos.seq, pos.hash, pos.day, sig)
}

// Sync fsyncs every record written so far and checkpoints the head.
func (l *Log) Sync(ctx context.Context) error {
	l.mu.Lock()
	pos, err := l.syncLocked()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	l.checkpoint(ctx, pos)
	l.mu.Lock()
	defer l.mu.Unlock()
	err, l.flushErr = l.flushErr, nil
	return err
}

// Head returns the sequence and hash of the last record written.
func (l *Log) Head() (uint64, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastSeq, l.lastHash
}

// Close syncs, checkpoints and closes the log. Later appends fail.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	err := l.Sync(context.Background())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		if cerr := l.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("audit: close %s: %w", l.file.Name(), cerr)
		}
		l.file = nil
	}
	// Closing the descriptor releases the flock.
	l.lock.Close()
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit: open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("audit: fsync directory %s: %w", dir, err)
	}
	return nil
}
