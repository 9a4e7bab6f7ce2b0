package codex

import (
	"bytes"
	"sync"
)

// decodedLine is one stdout line with its frame split into members. The reader goroutine
// decodes every line it queues, so that on a two-core machine the decoding runs beside the
// protocol goroutine's handling of the lines before it instead of in series with it.
type decodedLine struct {
	line  []byte
	frame frame
	// err is why the line is not a frame; the protocol goroutine reports it as malformed.
	err error
}

// decodeLines appends the decoded non-blank lines of a batch to into.
func decodeLines(batch []byte, into []decodedLine) []decodedLine {
	splitLines(batch, func(line []byte) {
		if len(line) == 0 || line[0] != '{' && len(bytes.TrimSpace(line)) == 0 {
			return
		}
		d := decodedLine{line: line}
		d.frame, d.err = decodeFrame(line)
		into = append(into, d)
	})
	return into
}

// decodedPool recycles the slices decoded batches are held in, between the reader that fills
// them and the protocol goroutine that is done with them. How many batches are in flight
// depends on how the pipe's reads fall, so it is a sync.Pool rather than a fixed free list.
type decodedPool struct{ pool sync.Pool }

// decodedBatchLines is the capacity new slices start with: the few dozen lines a read
// typically brings, with room to spare; the queue counts a batch's capacity against its budget.
const decodedBatchLines = 128

func newDecodedPool() *decodedPool {
	return &decodedPool{pool: sync.Pool{New: func() any {
		d := make([]decodedLine, 0, decodedBatchLines)
		return &d
	}}}
}

func (p *decodedPool) get() []decodedLine { return (*p.pool.Get().(*[]decodedLine))[:0] }

// put returns a slice for reuse. It is not cleared: the next batch overwrites it, and the
// buffers its stale entries point into are pooled anyway, while clearing pointers costs write
// barriers on every line.
func (p *decodedPool) put(d []decodedLine) {
	if p == nil || cap(d) == 0 {
		return
	}
	p.pool.Put(&d)
}
