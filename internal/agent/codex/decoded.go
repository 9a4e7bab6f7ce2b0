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
	// item is set for item/completed notifications.
	item completedItem
}

// completedItem is the start of an item/completed notification's item. Notification params
// are not checked as a whole on the way in (decodeNotification), so the item is read
// leniently: member by member from where it starts, never scanning the bulky command output;
// a malformed item simply yields empty fields.
type completedItem struct {
	// body runs from the item's start to the end of params.
	body        []byte
	typ, status string
}

func readCompletedItem(params []byte) completedItem {
	body := valueTail(params, "item")
	var head [2][]byte
	pick(body, head[:], "type", "status")
	return completedItem{body: body, typ: stringValue(head[0]), status: stringValue(head[1])}
}

// decodeLines appends the decoded non-blank lines of a batch to into.
func decodeLines(batch []byte, into []decodedLine) []decodedLine {
	splitLines(batch, func(line []byte) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		d := decodedLine{line: line}
		d.frame, d.err = decodeFrame(line)
		if d.err == nil && d.frame.Method == "item/completed" && d.frame.ID == nil {
			d.item = readCompletedItem(d.frame.Params)
		}
		into = append(into, d)
	})
	return into
}

// decodedPool recycles the slices decoded batches are held in, between the reader that fills
// them and the protocol goroutine that is done with them. How many batches are in flight
// depends on how the pipe's reads fall, so it is a sync.Pool rather than a fixed free list.
type decodedPool struct{ pool sync.Pool }

// decodedBatchLines is the capacity new slices start with: a full read of typical
// notifications, so a slice rarely grows.
const decodedBatchLines = 1024

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
