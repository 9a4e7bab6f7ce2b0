package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Defaults for ReadOptions fields left zero.
const (
	// DefaultMaxLineBytes is the longest line accepted (SPEC §10.1 recommends 10 MB).
	DefaultMaxLineBytes = 10 << 20
	// DefaultQueueBytes bounds the lines waiting for the consumer.
	DefaultQueueBytes = 512 << 10
	// oversizeHeadBytes is how much of an oversize line is kept for its error.
	oversizeHeadBytes = 256
	// readBufferBytes is the reader's buffer: each read asks the pipe for this much, and lines up
	// to this size are copied once. Agent frames are mostly a few hundred bytes and a session
	// keeps this buffer for its whole life, so it is sized for them, not for bursts.
	readBufferBytes = 16 << 10
)

// Item is one line of the child's stdout, decoded.
type Item[T any] struct {
	// Line is the line without its newline or a trailing '\r'; a fresh copy the consumer owns,
	// unless it opted in to ReadOptions.LinesValidUntilNextTake. For a line over the cap it
	// holds the line's start.
	Line []byte
	// Value is the decoded line, valid when Err is nil.
	Value T
	// Err is why the line is not a value: the decoder's error, or a *LineTooLongError.
	Err error
	// At is when the reader took the line off the pipe: when the read that brought in its end
	// returned.
	At time.Time
}

// LineTooLongError reports a line over the per-line cap. Its bytes past Head were discarded
// and reading went on at the next newline.
type LineTooLongError struct {
	Size  int
	Limit int
	Head  []byte
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("dropped a %d-byte line longer than the %d-byte limit", e.Size, e.Limit)
}

// Decoder turns one line into a value. It must not keep line beyond the call unless it
// copies it: the line is the Item's, which is handed to the consumer afterwards.
type Decoder[T any] func(line []byte) (T, error)

// ReadOptions bound the reader.
type ReadOptions struct {
	// MaxLineBytes is the per-line cap; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
	// QueueBytes is the memory budget of lines waiting for the consumer; 0 means
	// DefaultQueueBytes.
	QueueBytes int
	// OnOversize, when set, is told the start of every line over the cap as soon as the cap is
	// passed, from the reader goroutine: a line that never ends would otherwise never be
	// reported.
	OnOversize func(head []byte)
	// LinesValidUntilNextTake is the consumer's promise that it keeps no Item.Line, nor
	// anything sharing its memory (a slice of it, a Value its decoder made of it), past its
	// next call to Take (or Next): the reader then copies later lines into the memory of the
	// lines released that way instead of allocating more, so ingest makes little garbage. A
	// line kept longer may be overwritten by a later one, whatever its length; copy what must
	// outlive the batch.
	LinesValidUntilNextTake bool
}

func (o ReadOptions) withDefaults() ReadOptions {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.QueueBytes <= 0 {
		o.QueueBytes = DefaultQueueBytes
	}
	return o
}

// Stream is the consumer's end of a reader goroutine: decoded lines in the order they were
// written. Blank lines are skipped.
type Stream[T any] struct {
	q    *queue[T]
	done chan struct{}
	err  error
}

// Read starts a goroutine that reads lines from r, decodes each with decode and queues them,
// until r ends or fails. The caller must keep calling Next until it reports false, or Close
// the stream, or the goroutine stays blocked on a full queue.
func Read[T any](r io.Reader, opts ReadOptions, decode Decoder[T]) *Stream[T] {
	opts = opts.withDefaults()
	var slab lineSlab
	if opts.LinesValidUntilNextTake {
		slab.recycler = &blockRecycler{}
	}
	s := &Stream[T]{q: newQueue[T](opts.QueueBytes, slab.recycler), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer s.q.close()
		timed := &timedReader{r: r}
		s.err = readLines(bufio.NewReaderSize(timed, readBufferBytes), opts, &slab, func(line []byte, tooLong *LineTooLongError) bool {
			it := Item[T]{Line: line, At: timed.at}
			if tooLong != nil {
				it.Err = tooLong
			} else {
				it.Value, it.Err = decode(line)
			}
			return s.q.push(it)
		})
	}()
	return s
}

// Next blocks until the next line is available. ok is false once the input has ended (or the
// stream was closed) and every queued line was taken.
func (s *Stream[T]) Next() (Item[T], bool) { return s.q.pop() }

// Take appends every line queued so far to dst without waiting: the consumer handles them
// as one batch instead of one wake-up per line. The lines of the batch stay charged to the
// queue's budget until the next Take, so the bound holds with the batch in the consumer's
// hands; under ReadOptions.LinesValidUntilNextTake its lines are valid until then too. ok is
// false once the input has ended (or the stream was closed) and every line was taken. When a Take returns no line, wait for Ready before the next. A consumer uses either
// Take or Next, not both.
func (s *Stream[T]) Take(dst []Item[T]) (batch []Item[T], ok bool) { return s.q.take(dst) }

// Ready has a value when lines may have arrived since a Take found none, and when the stream
// ends.
func (s *Stream[T]) Ready() <-chan struct{} { return s.q.ready }

// Close stops delivery: queued lines can still be taken, and the reader goroutine ends at its
// next line instead of blocking on a full queue.
func (s *Stream[T]) Close() { s.q.close() }

// Done closes when the reader goroutine has ended.
func (s *Stream[T]) Done() <-chan struct{} { return s.done }

// Err is the read error that ended the stream, nil at a clean end of input; valid after Done.
func (s *Stream[T]) Err() error { return s.err }

// timedReader notes when each read returned. The lines a read brings in were all taken off
// the pipe then, so they share its time instead of reading the clock once a line.
type timedReader struct {
	r  io.Reader
	at time.Time
}

func (t *timedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.at = time.Now().UTC()
	return n, err
}

// readLines calls emit with each non-blank line of r, copied into slab or a fresh copy, and
// with the start of every line over the cap, until r ends or emit reports false. Every emit
// that reports true is one item queued: the slab numbers lines by that count.
func readLines(r *bufio.Reader, opts ReadOptions, slab *lineSlab, emit func(line []byte, tooLong *LineTooLongError) bool) error {
	var long []byte
	var emitted int64
	emitCounted := func(line []byte, tooLong *LineTooLongError) bool {
		if !emit(line, tooLong) {
			return false
		}
		emitted++
		return true
	}
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// One byte of slack: a line at the cap may still end in "\r\n".
			if len(long)+len(chunk) > opts.MaxLineBytes+1 {
				tooLong, rerr := discardLine(r, append(long, chunk...), opts)
				long = nil
				if !emitCounted(tooLong.Head, tooLong) {
					return nil
				}
				if rerr != nil {
					return endOfInput(rerr)
				}
				continue
			}
			long = appendDoubling(long, chunk)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		} else {
			line = slab.copy(chunk, emitted)
		}
		line = trimEOL(line)
		if len(line) > opts.MaxLineBytes {
			tooLong := newTooLong(line, len(line), opts)
			if !emitCounted(tooLong.Head, tooLong) {
				return nil
			}
		} else if len(bytes.TrimSpace(line)) > 0 && !emitCounted(line, nil) {
			return nil
		}
		if err != nil {
			return endOfInput(err)
		}
	}
}

// appendDoubling appends chunk to a long line, doubling its capacity when it runs out: append
// grows large slices by a quarter, which for a line near the cap copies it many times over.
func appendDoubling(long, chunk []byte) []byte {
	if cap(long)-len(long) < len(chunk) {
		grown := make([]byte, len(long), max(2*cap(long), len(long)+len(chunk)))
		copy(grown, long)
		long = grown
	}
	return append(long, chunk...)
}

// discardLine reads past the rest of a line over the cap, up to and including its newline,
// after reporting its start through opts.OnOversize.
func discardLine(r *bufio.Reader, head []byte, opts ReadOptions) (*LineTooLongError, error) {
	tooLong := newTooLong(head, len(head), opts)
	for {
		chunk, err := r.ReadSlice('\n')
		tooLong.Size += len(chunk)
		if err == nil {
			tooLong.Size -= len(chunk) - len(trimEOL(chunk))
			return tooLong, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return tooLong, err
		}
	}
}

func newTooLong(line []byte, size int, opts ReadOptions) *LineTooLongError {
	head := bytes.Clone(line[:min(len(line), oversizeHeadBytes)])
	if opts.OnOversize != nil {
		opts.OnOversize(head)
	}
	return &LineTooLongError{Size: size, Limit: opts.MaxLineBytes, Head: head}
}

func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	return bytes.TrimSuffix(line, []byte{'\r'})
}

func endOfInput(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return fmt.Errorf("read agent stdout: %w", err)
}
