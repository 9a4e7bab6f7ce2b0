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
	pool    *bufferPool
	decoded *decodedPool
	// buf is the buffer being read into; the reader holds one reference to it. Its bytes up
	// to end are filled, and from start on they are a line whose newline has not arrived yet.
	buf        *readBuffer
	start, end int
	// searched is how many bytes from start, the unfinished line, are known to hold no newline.
	searched int
	// over is the oversize line being discarded, if any.
	over *oversizeLine
	// onOversize is told the start of each oversize line as soon as it is seen, before its
	// end (which may never come) lets it be queued; nil when nobody asks.
	onOversize func(head []byte)
}

// readLines copies stdout into q at pipe speed until EOF or a read error, then closes q.
// onOversize, when not nil, is called with the start of every line over maxLine.
func readLines(r io.Reader, q *itemQueue, maxLine int, onOversize func(head []byte)) error {
	defer q.close()
	pool := newBufferPool(q.budget)
	lr := &lineReader{q: q, maxLine: maxLine, pool: pool, buf: pool.get(readChunkBytes), decoded: newDecodedPool(), onOversize: onOversize}
	defer func() { lr.buf.release() }()
	for {
		lr.makeRoom()
		n, err := r.Read(lr.buf.data[lr.end:])
		lr.end += n
		if !lr.take() {
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

// makeRoom leaves at least a quarter of a chunk free for the next read: when the buffer is
// nearly full, the unfinished line moves to a new one, twice its length when it is long, so a
// long line costs linear time.
func (lr *lineReader) makeRoom() {
	if len(lr.buf.data)-lr.end >= readChunkBytes/4 {
		return
	}
	partial := lr.buf.data[lr.start:lr.end]
	next := lr.pool.get(max(readChunkBytes, 2*len(partial)))
	n := copy(next.data, partial)
	lr.buf.release()
	lr.buf, lr.start, lr.end = next, 0, n
}

// take queues what the last read completed: the rest of an oversize line being discarded,
// complete lines, and an unfinished line that has grown over the limit. It reports false once
// the queue is closed.
func (lr *lineReader) take() bool {
	data := lr.buf.data[lr.start:lr.end]
	searched := lr.searched
	lr.start, lr.searched = lr.end, 0
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
	// Only the bytes read since the last take can hold a newline: rescanning a long
	// unfinished line on every read would make reaching the line cap quadratic.
	if last := bytes.LastIndexByte(data[searched:], '\n'); last >= 0 {
		last += searched
		if !lr.pushLines(data[:last+1]) {
			return false
		}
		data = data[last+1:]
	}
	if len(data) > lr.maxLine {
		lr.over = lr.newOversize(data, len(data))
		return true
	}
	lr.start, lr.searched = lr.end-len(data), len(data)
	return true
}

// pushLines queues complete lines, splitting out any line over the limit. Lines can only be
// over the limit when the whole region is, so the common case queues it untouched.
func (lr *lineReader) pushLines(region []byte) bool {
	if len(region) <= lr.maxLine {
		return lr.pushRegion(region)
	}
	start := 0
	for i := 0; i < len(region); {
		nl := i + bytes.IndexByte(region[i:], '\n')
		if nl-i > lr.maxLine {
			if start < i && !lr.pushRegion(region[start:i]) {
				return false
			}
			if !lr.push(queued{over: lr.newOversize(region[i:nl], nl-i)}) {
				return false
			}
			start = nl + 1
		}
		i = nl + 1
	}
	if start < len(region) {
		return lr.pushRegion(region[start:])
	}
	return true
}

// pushRegion queues lines that stay in the current buffer, which the batch then shares.
func (lr *lineReader) pushRegion(lines []byte) bool {
	lr.buf.retain()
	return lr.pushBatch(queued{lines: lines[:len(lines):len(lines)], buf: lr.buf})
}

// pushBatch decodes the lines of a batch and queues it; a batch the closed queue refused is
// handed back at once.
func (lr *lineReader) pushBatch(it queued) bool {
	lines := lr.decoded.get(bytes.Count(it.lines, []byte{'\n'}))
	it.frames, it.pool = decodeLines(it.lines, lines), lr.decoded
	if !lr.push(it) {
		it.done()
		return false
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
	case lr.end > lr.start:
		line := append(bytes.Clone(lr.buf.data[lr.start:lr.end]), '\n')
		lr.start = lr.end
		return lr.pushBatch(queued{lines: line})
	}
	return true
}

func (lr *lineReader) push(it queued) bool {
	it.at = time.Now().UTC()
	return lr.q.push(it)
}

func (lr *lineReader) newOversize(start []byte, size int) *oversizeLine {
	keep := min(len(start), oversizeHeadBytes)
	o := &oversizeLine{head: bytes.Clone(start[:keep]), size: size}
	if lr.onOversize != nil {
		lr.onOversize(o.head)
	}
	return o
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
