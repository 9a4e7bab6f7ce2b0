package codex

import (
	"sync"
	"time"
	"unsafe"
)

// itemQueue hands stdout lines from the reader goroutine to the protocol goroutine. It is
// bounded by memory rather than by count so that a burst of small notifications and a few
// multi-megabyte frames are held to the same memory ceiling; one line is always admitted so
// a frame larger than the budget still gets through.
type itemQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []queued
	head   int
	bytes  int
	budget int
	closed bool
}

// queued is a batch of complete stdout lines, or the marker of a line that was too long to keep.
type queued struct {
	lines []byte
	// buf is the read buffer lines lie in, released once the batch is handled; nil when the
	// lines were copied out of it.
	buf *readBuffer
	// frames are the lines decoded, in order, blank lines left out.
	frames []decodedLine
	// pool takes frames back once the batch is handled.
	pool *decodedPool
	over *oversizeLine
	// at is when the reader took the data off the pipe.
	at time.Time
}

// size is the memory the batch holds: its lines and the slice they are decoded into, which
// for short lines is the larger of the two.
func (it queued) size() int { return len(it.lines) + cap(it.frames)*int(unsafe.Sizeof(decodedLine{})) }

// done hands the batch's buffers back for reuse; nothing may use its lines afterwards.
func (it queued) done() {
	it.buf.release()
	it.pool.put(it.frames)
}

func newItemQueue(budget int) *itemQueue {
	q := &itemQueue{budget: budget}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push blocks while the queue is over budget. It returns false once the queue is closed.
func (q *itemQueue) push(it queued) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && q.bytes > 0 && q.bytes+it.size() > q.budget {
		q.cond.Wait()
	}
	if q.closed {
		return false
	}
	q.items = append(q.items, it)
	q.bytes += it.size()
	q.cond.Broadcast()
	return true
}

// pop blocks until a line is available. ok is false when the queue is closed and empty.
func (q *itemQueue) pop() (it queued, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.head == len(q.items) {
		return queued{}, false
	}
	it = q.items[q.head]
	q.items[q.head] = queued{}
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= 1024 && 2*q.head >= len(q.items):
		// A consumer that never fully catches up must not grow the backing array forever.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.bytes -= it.size()
	q.cond.Broadcast()
	return it, true
}

// close wakes every waiter; lines already queued can still be popped.
func (q *itemQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
