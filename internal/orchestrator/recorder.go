package orchestrator

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// recordTimeout bounds one store or audit write so a wedged disk cannot hold the queue forever.
const recordTimeout = 10 * time.Second

// recorder performs store and audit writes in order, off the loop goroutine. The queue is
// unbounded so that posting never blocks the loop; writes are small and few per run.
type recorder struct {
	log *slog.Logger
	// draining is held for a whole drain, so a drain called while the run goroutine is busy
	// waits for it and writes still land in the order they were posted.
	draining sync.Mutex
	mu       sync.Mutex
	queue    []func(context.Context)
	wake     chan struct{}
}

func newRecorder(log *slog.Logger) *recorder {
	return &recorder{log: log, wake: make(chan struct{}, 1)}
}

// post queues a write; what names it in the log when it fails.
func (r *recorder) post(what string, write func(context.Context) error) {
	r.mu.Lock()
	r.queue = append(r.queue, func(ctx context.Context) {
		if err := write(ctx); err != nil {
			r.log.Error("durable write failed", "write", what, "error", err.Error())
		}
	})
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// run drains the queue until ctx ends; call flush afterwards to finish what is left.
func (r *recorder) run(ctx context.Context) {
	for {
		r.drain()
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
	}
}

// drain performs every queued write; when it returns, every write posted before the call
// has been performed.
func (r *recorder) drain() {
	r.draining.Lock()
	defer r.draining.Unlock()
	for {
		r.mu.Lock()
		batch := r.queue
		r.queue = nil
		r.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for _, w := range batch {
			ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
			w(ctx)
			cancel()
		}
	}
}

// flush performs what is left, giving up when ctx ends.
func (r *recorder) flush(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		r.drain()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Warn("shutdown: durable writes still pending when the shutdown timeout expired")
	}
}
