package codex

import "bytes"

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
// them and the protocol goroutine that is done with them. It is a free list rather than a
// sync.Pool, which the collector empties every other cycle: at pipe speed that is often, and
// regrowing the slices showed in profiles.
type decodedPool struct{ free chan []decodedLine }

// decodedPoolSlices is how many idle slices the pool keeps: more than the batches a full
// queue holds when reads fill the buffer.
const decodedPoolSlices = 32

func newDecodedPool() *decodedPool {
	return &decodedPool{free: make(chan []decodedLine, decodedPoolSlices)}
}

// get returns an empty slice with room for n lines.
func (p *decodedPool) get(n int) []decodedLine {
	select {
	case d := <-p.free:
		if cap(d) >= n {
			return d[:0]
		}
	default:
	}
	return make([]decodedLine, 0, n)
}

// put returns a slice for reuse. It is not cleared: the next batch overwrites it, and the
// buffers its stale entries point into are pooled anyway, while clearing pointers costs write
// barriers on every line.
func (p *decodedPool) put(d []decodedLine) {
	if p == nil || cap(d) == 0 {
		return
	}
	select {
	case p.free <- d:
	default:
	}
}
