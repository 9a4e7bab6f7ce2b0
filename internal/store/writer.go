package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Op is one queued store write.
type Op func(ctx context.Context, s *Store) error

// opTimeout bounds one queued write, busy waits included.
const opTimeout = 30 * time.Second

// Writer applies writes on its own goroutine in the order they were submitted, so the
// orchestrator's loop hands a write off without waiting for the disk and a run's start is
// always stored before its finish. A write is durable once its Op returns; ops still queued
// when the process dies are lost, which is why callers enqueue them as soon as they happen.
type Writer struct {
	s     *Store
	onErr func(error)

	mu     sync.Mutex
	wake   *sync.Cond
	queue  []Op
	closed bool
	done   chan struct{}
}

// NewWriter starts a Writer. onErr receives every failed write (it runs on the writer's
// goroutine and must not block for long); nil discards them.
func (s *Store) NewWriter(onErr func(error)) *Writer {
	w := &Writer{s: s, onErr: onErr, done: make(chan struct{})}
	w.wake = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

// Submit queues op without blocking. It returns false once the writer is closed.
func (w *Writer) Submit(op Op) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.queue = append(w.queue, op)
	w.wake.Signal()
	return true
}

// Pending returns how many writes wait in the queue, for status displays.
func (w *Writer) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// Close stops accepting writes and waits until the queued ones are applied or ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.wake.Signal()
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return errors.Join(errors.New("store: writer closed with writes still queued"), ctx.Err())
	}
}

func (w *Writer) loop() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closed {
			w.wake.Wait()
		}
		if len(w.queue) == 0 {
			w.mu.Unlock()
			return
		}
		op := w.queue[0]
		w.queue[0] = nil
		w.queue = w.queue[1:]
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		err := op(ctx, w.s)
		cancel()
		if err != nil && w.onErr != nil {
			w.onErr(err)
		}
	}
}
