package jsonl

import (
	"reflect"
	"sync"
)

// itemOverheadBytes is what the queue charges per line beyond its bytes: the Item and its
// decoded value. Without it a flood of tiny lines would slip under the budget.
const itemOverheadBytes = 128

// queue hands lines from the reader goroutine to the consumer. It is bounded by memory
// rather than by count, so a burst of small lines and a few multi-megabyte ones are held to
// the same ceiling; one item is always admitted so a line larger than the budget still gets
// through. A consumer takes lines one at a time (pop) or all that are queued at once (take);
// a batch taken stays charged to the budget until the consumer comes back for more, which is
// also when the lines it handed out are released to the reader's recycler, if it has one.
//
// A take hands the consumer the queue's array of items itself and keeps the consumer's last
// batch, when it is passed back, as the array to fill next, so the items are never copied; a
// take that finds nothing gives both arrays to the pool (arrays), for whichever queue has a
// burst next. A burst grows the arrays to a few hundred items, and a session holding them
// between bursts would cost a busy service tens of kilobytes a session.
type queue[T any] struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []Item[T]
	head  int
	// bytes counts the queued lines and the batch the consumer last took.
	bytes  int
	budget int
	// taken is the charge of the batch the consumer last took.
	taken  int
	closed bool
	// ready holds a token when lines may have been queued since take last found none.
	ready chan struct{}
	// delivered counts the items handed to the consumer; when it comes back for more, it
	// holds none of them.
	delivered int64
	// blocks, when set, is told of every release, so the reader may reuse the blocks of
	// lines the consumer no longer holds.
	blocks *blockRecycler
	// arrays holds the idle item arrays of every queue of this item type.
	arrays *sync.Pool
	// lent is the array of the batch take handed over last. Only that array, passed back,
	// is reused or pooled: anything else a consumer passes may still be in use.
	lent []Item[T]
}

func newQueue[T any](budget int, blocks *blockRecycler) *queue[T] {
	q := &queue[T]{budget: budget, ready: make(chan struct{}, 1), blocks: blocks, arrays: itemArrays[T]()}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// itemArrayPools maps an item type to the sync.Pool of its queues' idle arrays (*[]Item[T]):
// a package-level pool cannot be generic.
var itemArrayPools sync.Map

func itemArrays[T any]() *sync.Pool {
	key := reflect.TypeFor[Item[T]]()
	if p, ok := itemArrayPools.Load(key); ok {
		return p.(*sync.Pool)
	}
	p, _ := itemArrayPools.LoadOrStore(key, new(sync.Pool))
	return p.(*sync.Pool)
}

// putArray gives a's memory to the pool, cleared so it keeps no line alive.
func (q *queue[T]) putArray(a []Item[T]) {
	if cap(a) == 0 {
		return
	}
	a = a[:0]
	clear(a[:cap(a)])
	q.arrays.Put(&a)
}

// getArray is an empty array from the pool, or nil.
func (q *queue[T]) getArray() []Item[T] {
	if a, ok := q.arrays.Get().(*[]Item[T]); ok {
		return *a
	}
	return nil
}

// signal leaves a token in ready; a consumer that found the queue empty waits for one.
func (q *queue[T]) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func itemSize[T any](it Item[T]) int { return len(it.Line) + itemOverheadBytes }

// push blocks while the queue is over budget. It reports false once the queue is closed.
func (q *queue[T]) push(it Item[T]) bool {
	size := itemSize(it)
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && q.bytes > 0 && q.bytes+size > q.budget {
		q.cond.Wait()
	}
	if q.closed {
		return false
	}
	wasEmpty := q.head == len(q.items)
	if q.items == nil {
		q.items = q.getArray()
	}
	q.items = append(q.items, it)
	q.bytes += size
	q.cond.Broadcast()
	if wasEmpty {
		q.signal()
	}
	return true
}

// take releases the batch taken last, then returns every queued item without waiting: the
// queue's own array when dst is empty (dst, the consumer's last batch, becomes the array the
// queue fills next), otherwise dst with the items appended. ok is false once the queue is
// closed and empty. A consumer whose take found nothing holds no budget, so it may wait for
// ready while the reader fills the queue.
func (q *queue[T]) take(dst []Item[T]) (batch []Item[T], ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bytes -= q.taken
	q.taken = 0
	q.blocks.release(q.delivered)
	returned := len(dst) == 0 && sameArray(dst, q.lent)
	q.lent = nil
	if q.head == len(q.items) {
		q.cond.Broadcast()
		q.putArray(q.items)
		q.items, q.head = nil, 0
		if returned {
			q.putArray(dst)
			return nil, !q.closed
		}
		return dst, !q.closed
	}
	for i := q.head; i < len(q.items); i++ {
		q.taken += itemSize(q.items[i])
	}
	q.delivered += int64(len(q.items) - q.head)
	if len(dst) == 0 && q.head == 0 {
		batch, q.items, q.lent = q.items, nil, q.items
		if returned {
			q.items = dst
		}
	} else {
		batch = append(dst, q.items[q.head:]...)
		clear(q.items)
		q.items, q.head = q.items[:0], 0
	}
	q.cond.Broadcast()
	return batch, true
}

// sameArray reports whether a and b share their first element's memory.
func sameArray[T any](a, b []T) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

// pop blocks until an item is available; ok is false once the queue is closed and empty.
func (q *queue[T]) pop() (it Item[T], ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.head == len(q.items) {
		return Item[T]{}, false
	}
	q.blocks.release(q.delivered)
	q.delivered++
	it = q.items[q.head]
	q.items[q.head] = Item[T]{}
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
	q.bytes -= itemSize(it)
	q.cond.Broadcast()
	return it, true
}

// close wakes every waiter; items already queued can still be popped.
func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	q.signal()
}
