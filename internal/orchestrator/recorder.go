package orchestrator

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
)

// recordTimeout bounds one store or audit write so a wedged disk cannot hold the queue forever.
const recordTimeout = 10 * time.Second

// recorder performs store and audit writes in order, off the loop goroutine. The queue is
// unbounded so that posting never blocks the loop; writes are small and few per run.
type recorder struct {
	log      *slog.Logger
	auditLog Audit
	// draining is held for a whole drain, so a drain called while the run goroutine is busy
	// waits for it and writes still land in the order they were posted.
	draining sync.Mutex
	mu       sync.Mutex
	queue    []func(context.Context)
	wake     chan struct{}
	// pendingAudit and pendingStore count the queued writes not yet performed, for metrics.
	pendingAudit, pendingStore atomic.Int64
}

func newRecorder(log *slog.Logger, auditLog Audit) *recorder {
	return &recorder{log: log, auditLog: auditLog, wake: make(chan struct{}, 1)}
}

// post queues a store write; what names it in the log when it fails.
func (r *recorder) post(what string, write func(context.Context) error) {
	r.enqueue(&r.pendingStore, what, write)
}

// postAudit queues an audit write.
func (r *recorder) postAudit(what string, write func(context.Context) error) {
	r.enqueue(&r.pendingAudit, what, write)
}

// enqueue queues a write counted in pending until it has been performed.
func (r *recorder) enqueue(pending *atomic.Int64, what string, write func(context.Context) error) {
	pending.Add(1)
	r.mu.Lock()
	r.queue = append(r.queue, func(ctx context.Context) {
		defer pending.Add(-1)
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

// appendAudit queues one audit record.
func (r *recorder) appendAudit(ev audit.Event) {
	r.postAudit(auditWhat(ev), func(ctx context.Context) error {
		_, err := r.auditLog.Append(ctx, ev)
		return err
	})
}

// appendAuditFrom queues an audit record built on the recorder's goroutine, for records whose
// content costs decoding the agent's event path must not pay; build reports false when there
// is nothing to record.
func (r *recorder) appendAuditFrom(what string, build func() (audit.Event, bool)) {
	r.postAudit(what, func(ctx context.Context) error {
		ev, ok := build()
		if !ok {
			return nil
		}
		_, err := r.auditLog.Append(ctx, ev)
		return err
	})
}

// appendPrompt queues the audit record of a prompt sent to the agent.
func (r *recorder) appendPrompt(ev audit.Event, prompt string) {
	r.postAudit(auditWhat(ev), func(ctx context.Context) error {
		_, err := r.auditLog.AppendPrompt(ctx, ev, prompt)
		return err
	})
}

func auditWhat(ev audit.Event) string {
	if ev.IssueIdentifier == "" {
		return "audit " + ev.Type
	}
	return "audit " + ev.Type + " for " + ev.IssueIdentifier
}

// issueEvent is an audit event about one attempt on one issue.
func issueEvent(at time.Time, is issue.Issue, runID, sessionID, typ string, details map[string]any) audit.Event {
	return audit.Event{Time: at, IssueID: is.ID, IssueIdentifier: is.Identifier, RepoKey: is.RepoKey,
		RunID: runID, SessionID: sessionID, Type: typ, Details: details}
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
