package codex

import (
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

// readChunkBytes is how much the reader asks the pipe for at a time. Every complete line a
// read returns goes to the queue as one batch, straight from the buffer the kernel filled,
// so the per-line cost on the reading side is nothing at all.
const readChunkBytes = 256 << 10

// oversizeLine marks a stdout line longer than the limit. The reader discards the rest of
// such a line and resynchronises at the next newline; the protocol goroutine reports it as a
// malformed frame.
type oversizeLine struct {
	head []byte
	size int
}

// lineReader turns pipe reads into queue items: batches of complete lines, each ending in
// '\n', and markers for lines over the limit, whose bytes are discarded up to the next
// newline.
type lineReader struct {
	q       *itemQueue
	maxLine int
	// partial is the start of a line whose newline has not arrived yet; the next read
	// appends to it in place when its buffer has room.
	partial []byte
	// over is the oversize line being discarded, if any.
	over *oversizeLine
}

// readLines copies stdout into q at pipe speed until EOF or a read error, then closes q.
func readLines(r io.Reader, q *itemQueue, maxLine int) error {
	defer q.close()
	lr := &lineReader{q: q, maxLine: maxLine}
	for {
		buf := lr.nextBuffer()
		n, err := r.Read(buf[len(buf):cap(buf)])
		if !lr.take(buf[:len(buf)+n]) {
			return nil
		}
		if err != nil {
			if !lr.finish() || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read agent stdout: %w", err)
		}
	}
}

// nextBuffer returns the unfinished line with room for a read after it, reusing its buffer
// when that has room and otherwise growing it geometrically, so a long line costs linear time.
func (lr *lineReader) nextBuffer() []byte {
	p := lr.partial
	if cap(p)-len(p) >= readChunkBytes/4 {
		return p
	}
	buf := make([]byte, len(p), max(readChunkBytes, 2*len(p)))
	copy(buf, p)
	return buf
}

// take consumes buf: the unfinished line carried over plus newly read bytes. It reports false
// once the queue is closed.
func (lr *lineReader) take(buf []byte) bool {
	data := buf
	lr.partial = nil
	if lr.over != nil {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lr.over.size += len(data)
			return true
		}
		lr.over.size += i
		if !lr.push(queued{over: lr.over}) {
			return false
		}
		lr.over, data = nil, data[i+1:]
	}
	if last := bytes.LastIndexByte(data, '\n'); last >= 0 {
		if !lr.pushLines(data[:last+1]) {
			return false
		}
		data = data[last+1:]
	}
	if len(data) > lr.maxLine {
		lr.over = newOversize(data, len(data))
		return true
	}
	lr.partial = data
	return true
}

// pushLines queues complete lines, splitting out any line over the limit. Lines can only be
// over the limit when the whole region is, so the common case queues it untouched.
func (lr *lineReader) pushLines(region []byte) bool {
	if len(region) <= lr.maxLine {
		return lr.push(queued{lines: region[:len(region):len(region)]})
	}
	start := 0
	for i := 0; i < len(region); {
		nl := i + bytes.IndexByte(region[i:], '\n')
		if nl-i > lr.maxLine {
			if start < i && !lr.push(queued{lines: region[start:i:i]}) {
				return false
			}
			if !lr.push(queued{over: newOversize(region[i:nl], nl-i)}) {
				return false
			}
			start = nl + 1
		}
		i = nl + 1
	}
	if start < len(region) {
		return lr.push(queued{lines: region[start:len(region):len(region)]})
	}
	return true
}

// finish delivers what is left at end of input: an unfinished last line as a line, or the
// marker of an oversize one.
func (lr *lineReader) finish() bool {
	switch {
	case lr.over != nil:
		o := lr.over
		lr.over = nil
		return lr.push(queued{over: o})
	case len(lr.partial) > 0:
		line := append(lr.partial, '\n')
		lr.partial = nil
		return lr.push(queued{lines: line[:len(line):len(line)]})
	}
	return true
}

func (lr *lineReader) push(it queued) bool {
	it.at = time.Now().UTC()
	return lr.q.push(it)
}

func newOversize(start []byte, size int) *oversizeLine {
	keep := min(len(start), oversizeHeadBytes)
	return &oversizeLine{head: bytes.Clone(start[:keep]), size: size}
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
