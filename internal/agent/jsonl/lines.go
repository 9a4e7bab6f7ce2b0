package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
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
	// to this size are copied once. Agent frames are mostly a few hundred bytes; a reader
	// holds the buffer only while input is coming in (see readSource).
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
		in, awaitInput := pollInput(r)
		timed := &timedReader{r: in}
		src := &readSource{in: timed, awaitInput: awaitInput, slab: &slab}
		defer src.end()
		s.err = readLines(src, opts, &slab, func(line []byte, tooLong *LineTooLongError) bool {
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

// Take returns every line queued so far without waiting: the consumer handles them as one
// batch instead of one wake-up per line. Pass the last batch emptied (batch[:0]): its memory
// goes back to the stream, which hands over its own queue instead of copying it, and keeps no
// array while nothing is queued (a non-empty dst gets the lines appended instead). The lines
// of the batch stay charged to the queue's budget until the next Take, so the bound holds
// with the batch in the consumer's hands; under ReadOptions.LinesValidUntilNextTake its lines
// are valid until then too. ok is false once the input has ended (or the stream was closed)
// and every line was taken. When a Take returns no line, wait for Ready before the next. A
// consumer uses either Take or Next, not both.
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

// readBuffers holds the read buffers of the readers waiting for input, for whichever reader
// gets input next.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufferBytes) }}

// readSource hands readLines a read buffer only while input is coming in. An agent writes in
// bursts (a command's output, a run of deltas) with long pauses between them; a reader that
// has to wait for the next burst first gives its buffer back to readBuffers and its slab's
// block to the recycler, so the sessions of a busy service that are between bursts hold
// neither, and waits on the poller without a buffer. Where its input cannot be awaited that
// way it keeps the buffer, as any bufio.Reader does.
type readSource struct {
	in         io.Reader
	awaitInput func(beforeWait func()) // nil: keep the buffer while waiting
	slab       *lineSlab
	buf        *bufio.Reader
}

// reader is the buffer to read the next chunk from. When it holds no input it first waits for
// some, releasing what it holds if it has to wait.
func (s *readSource) reader() *bufio.Reader {
	if s.awaitInput != nil && (s.buf == nil || s.buf.Buffered() == 0) {
		s.awaitInput(s.release)
	}
	if s.buf == nil {
		s.buf = readBuffers.Get().(*bufio.Reader)
		s.buf.Reset(s.in)
	}
	return s.buf
}

// release gives the buffer back, which must hold no input, and retires the slab's block.
func (s *readSource) release() {
	s.slab.idle()
	s.end()
}

// end gives the buffer back once reading is over. The slab's block is left to the collector
// with the stream: no later Take of its consumer would release it.
func (s *readSource) end() {
	if s.buf != nil {
		s.buf.Reset(nil)
		readBuffers.Put(s.buf)
		s.buf = nil
	}
}

// readLines calls emit with each non-blank line of src, copied into slab or a fresh copy, and
// with the start of every line over the cap, until src ends or emit reports false. Every emit
// that reports true is one item queued: the slab numbers lines by that count.
func readLines(src *readSource, opts ReadOptions, slab *lineSlab, emit func(line []byte, tooLong *LineTooLongError) bool) error {
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
		r := src.reader()
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// One byte of slack: a line at the cap may still end in "\r\n".
			if len(long)+len(chunk) > opts.MaxLineBytes+1 {
				tooLong, rerr := discardLine(src, append(long, chunk...), opts)
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
		// chunk is the read buffer's until the next read; a long line is already a copy.
		line, copied := chunk, long != nil
		if copied {
			line = append(long, chunk...)
			long = nil
		}
		line = trimEOL(line)
		switch {
		case len(line) > opts.MaxLineBytes:
			tooLong := newTooLong(line, len(line), opts)
			if !emitCounted(tooLong.Head, tooLong) {
				return nil
			}
		case len(bytes.TrimSpace(line)) == 0:
			// Blank lines are skipped, and not copied: every line in the slab is queued.
		default:
			if !copied {
				line = slab.copy(line, emitted)
			}
			if !emitCounted(line, nil) {
				return nil
			}
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
func discardLine(src *readSource, head []byte, opts ReadOptions) (*LineTooLongError, error) {
	tooLong := newTooLong(head, len(head), opts)
	for {
		r := src.reader()
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
