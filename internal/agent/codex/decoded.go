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
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		f, err := decodeFrame(line)
		into = append(into, decodedLine{line: line, frame: f, err: err})
	})
	return into
}

// decodedPool recycles the slices decoded batches are held in, between the reader that fills
// them and the protocol goroutine that is done with them.
type decodedPool struct{ free chan []decodedLine }

func newDecodedPool(n int) *decodedPool { return &decodedPool{free: make(chan []decodedLine, n)} }

func (p *decodedPool) get() []decodedLine {
	select {
	case d := <-p.free:
		return d
	default:
		return nil
	}
}

// put returns a slice for reuse, cleared so it holds no buffer or error alive meanwhile.
func (p *decodedPool) put(d []decodedLine) {
	if p == nil || cap(d) == 0 {
		return
	}
	clear(d)
	select {
	case p.free <- d[:0]:
	default:
	}
}
