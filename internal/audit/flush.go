package audit

import (
	"context"
	"time"
)

// markDirty wakes the flush loop: records are waiting for an fsync.
func (l *Log) markDirty() {
	select {
	case l.dirty <- struct{}{}:
	default:
	}
}

// flushLoop fsyncs and checkpoints FlushInterval after records start waiting. It sleeps on a
// channel while nothing waits, so an idle service is not woken ten times a second.
func (l *Log) flushLoop() {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			return
		case <-l.dirty:
		}
		wait := time.NewTimer(l.opts.FlushInterval)
		select {
		case <-l.stop:
			wait.Stop()
			return
		case <-wait.C:
		}
		l.flush()
	}
}

// flush fsyncs what is waiting and checkpoints the head; a failed fsync or a checkpoint the
// store refused is tried again one interval later.
func (l *Log) flush() {
	l.mu.Lock()
	pos, err := l.syncLocked()
	if err != nil {
		l.flushErr = err
	}
	l.mu.Unlock()
	if err != nil {
		l.markDirty()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	l.checkpoint(ctx, pos)
	cancel()
	if l.checkpointed.Load() < pos.seq {
		l.markDirty()
	}
}
