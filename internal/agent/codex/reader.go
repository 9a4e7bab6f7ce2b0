package codex

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// maxLineBytes is the longest stdout frame the adapter accepts (SPEC §10.1 recommends 10 MB).
const maxLineBytes = 10 << 20

// oversizeHeadBytes is how much of an oversize line is kept for the malformed event.
const oversizeHeadBytes = 256

// batchBytes is the size at which the reader hands a batch of lines to the queue. Batching
// keeps the per-line cost of allocation and synchronisation off the hot path when Codex
// writes many small notifications.
const batchBytes = 64 << 10

// oversizeLine marks a stdout line longer than the limit. The reader discards the rest of
// such a line and resynchronises at the next newline; the protocol goroutine reports it as a
// malformed frame.
type oversizeLine struct {
	head []byte
	size int
}

// batcher groups complete lines, each followed by '\n', into queue items.
type batcher struct {
	q     *itemQueue
	batch []byte
}

func (b *batcher) flush() bool {
	if len(b.batch) == 0 {
		return true
	}
	ok := b.q.push(queued{lines: b.batch, at: time.Now().UTC()})
	b.batch = nil
	return ok
}

func (b *batcher) addOversize(o *oversizeLine) bool {
	return b.flush() && b.q.push(queued{over: o, at: time.Now().UTC()})
}

// readLines copies stdout into q at pipe speed until EOF or a read error, then closes q.
func readLines(r io.Reader, q *itemQueue, maxLine int) error {
	defer q.close()
	br := bufio.NewReaderSize(r, 256<<10)
	b := &batcher{q: q}
	var long []byte
	var over *oversizeLine
	for {
		chunk, err := br.ReadSlice('\n')
		complete := err == nil
		content := len(long) + len(chunk)
		if complete {
			content-- // the newline is not part of the frame
		}
		switch {
		case over != nil:
			over.size += content
		case content > maxLine:
			head := append(long[:len(long):len(long)], chunk...)
			keep := min(len(head), oversizeHeadBytes)
			over = &oversizeLine{head: head[:keep:keep], size: content}
			long = nil
		case complete && long == nil:
			if b.batch == nil {
				b.batch = make([]byte, 0, batchBytes+len(chunk))
			}
			b.batch = append(b.batch, chunk...)
		default:
			long = append(long, chunk...)
		}
		atEOF := !complete && !errors.Is(err, bufio.ErrBufferFull)
		if complete || atEOF {
			if !b.endLine(&long, &over) {
				return nil
			}
		}
		if len(b.batch) >= batchBytes || br.Buffered() == 0 {
			if !b.flush() {
				return nil
			}
		}
		if atEOF {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read agent stdout: %w", err)
		}
	}
}

// endLine finishes a line that was too long for the fast path or had to be discarded.
func (b *batcher) endLine(long *[]byte, over **oversizeLine) bool {
	if o := *over; o != nil {
		*over = nil
		return b.addOversize(o)
	}
	if l := *long; len(l) > 0 {
		*long = nil
		b.batch = append(b.batch, bytes.TrimSuffix(l, []byte{'\n'})...)
		b.batch = append(b.batch, '\n')
	}
	return true
}

// splitLines calls fn for each line of a batch, without its newline or a trailing '\r'.
func splitLines(batch []byte, fn func(line []byte)) {
	for len(batch) > 0 {
		i := bytes.IndexByte(batch, '\n')
		if i < 0 {
			i = len(batch)
		}
		line := batch[:i]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		fn(line)
		batch = batch[min(i+1, len(batch)):]
	}
}
