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

// sessionQueueLimit is how many writes agent sessions may have queued before posting one more
// waits for the recorder. A command record is about a kilobyte, so a burst holds a few MiB at
// most instead of growing the heap with the agents' output.
const sessionQueueLimit = 1024

// auditBatchLimit is the most audit records handed to the log in one write.
const auditBatchLimit = 256

// maxSpareQueue bounds the queue array kept between drains, so a rare burst (a backlog behind
// a slow disk) does not stay allocated. It holds a full session lane and the loop's writes
// beside it: agents streaming output fill the lane while each batch is written, and an array
// grown past a lower bound was dropped and regrown from nothing on every drain, a third of
// what the recorder and audit log allocated per record under a flood.
const maxSpareQueue = 2 * sessionQueueLimit

// recordLinger is how long the recorder, woken by a first write from an agent session, lets
// more gather before it writes them: agents streaming output post records by the thousand a
// second, and each drain costs a write to the audit file, a wake-up of the recorder and one of
// the writer. A queue reaching auditBatchLimit, or any write of the loop or a worker (run
// records, prompts: a few per run, which readers of the store expect at once), ends the wait.
const recordLinger = 5 * time.Millisecond

// storeBatchLimit is the most store writes committed together: a batch holds SQLite's write
// lock until it commits, and a writer outside the recorder (a session's comment ownership,
// the audit checkpoint) waits for it.
const storeBatchLimit = 256

// recorder performs store and audit writes in the order they were posted, off the loop
// goroutine. Writes come in two lanes sharing one queue: the loop's (dispatch, exits, retries,
// operator actions) and a worker's own (tracker bootstrap, prompts) never wait, so neither
// scheduling nor a new attempt stalls on a disk or behind other agents' output, and are a few
// writes per run; agent sessions' writes are bounded, so a session whose agent outruns the
// disk waits in its event intake and no record is ever dropped. Consecutive audit records are
// written as one batch, and consecutive store writes as one commit. Sessions' token usage is
// not queued but summed (see addUsage).
type recorder struct {
	log      *slog.Logger
	auditLog Audit
	store    Store
	// sessionLimit is sessionQueueLimit; tests lower it.
	sessionLimit int
	// draining is held for a whole drain, so a drain called while the run goroutine is busy
	// waits for it and writes still land in the order they were posted.
	draining sync.Mutex
	mu       sync.Mutex
	queue    []queuedWrite
	// spare is the array of the last batch drained, emptied, which the next queue fills:
	// agents streaming output queue thousands of writes a second, and growing a fresh
	// queue for each drain was a fifth of what their records allocated.
	spare []queuedWrite
	// sessionQueued counts the session writes in queue; space is signalled when a drain takes
	// them.
	sessionQueued int
	space         *sync.Cond
	// stopped is set once run has returned: nothing drains on its own any more, so a session
	// posting then must not wait for space the final flush will never make.
	stopped bool
	// urgent is set while a write that must not linger (not a session's) is queued.
	urgent bool
	wake   chan struct{}
	// auditBatch is the array perform gathers audit events in, emptied and kept for the next
	// drain (drains never overlap): it is at most auditBatchLimit long, and allocating it for
	// every drain was most of what perform allocated.
	auditBatch []audit.Event
	// pendingAudit and pendingStore count the queued writes not yet performed, for metrics.
	pendingAudit, pendingStore atomic.Int64
	// usage sums the sessions' token deltas not yet written to the store; under mu.
	usage unwrittenUsage
	// usageWritten is when usage was last written; only drains touch it.
	usageWritten time.Time
	// now is the clock usageWriteInterval is measured on; tests replace it.
	now func() time.Time
}

// queuedWrite is one write: an audit record (built on the recorder's goroutine when build is
// set) or, when write is set, any other durable write, named by what in the log if it fails.
type queuedWrite struct {
	what  string
	event audit.Event
	build func() (audit.Event, bool)
	write func(context.Context) error
	// session marks a write posted from an agent session, counted against sessionLimit.
	session bool
	// toAudit marks a write that goes to the audit log although it is not a plain record.
	toAudit bool
}

// isAudit says which pending count the write is in.
func (w queuedWrite) isAudit() bool { return w.write == nil || w.toAudit }

func newRecorder(log *slog.Logger, auditLog Audit, st Store) *recorder {
	r := &recorder{log: log, auditLog: auditLog, store: st, sessionLimit: sessionQueueLimit, wake: make(chan struct{}, 1), now: time.Now}
	r.space = sync.NewCond(&r.mu)
	return r
}

// enqueue adds w to the queue. A session write waits while sessionLimit session writes are
// queued; every queued write is taken by a drain within recordTimeout per write ahead of it,
// so the wait is bounded by the disk, not by the agent.
func (r *recorder) enqueue(w queuedWrite) {
	if w.isAudit() {
		r.pendingAudit.Add(1)
	} else {
		r.pendingStore.Add(1)
	}
	r.mu.Lock()
	if w.session {
		for r.sessionQueued >= r.sessionLimit && !r.stopped {
			r.space.Wait()
		}
		r.sessionQueued++
	}
	r.queue = append(r.queue, w)
	// The recorder is told when the queue starts, when it holds a full batch and of every
	// write that must not linger; session writes in between wait for it without waking it.
	signal := len(r.queue) == 1 || len(r.queue) == auditBatchLimit || !w.session
	if !w.session {
		r.urgent = true
	}
	r.mu.Unlock()
	if signal {
		r.signal()
	}
}

// signal wakes the recorder's loop, or leaves it a wake-up when it is busy.
func (r *recorder) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// post queues a write from the loop; it never waits. what names it in the log when it fails.
func (r *recorder) post(what string, write func(context.Context) error) {
	r.enqueue(queuedWrite{what: what, write: write})
}

// appendAudit queues one audit record from the loop; it never waits.
func (r *recorder) appendAudit(ev audit.Event) {
	r.enqueue(queuedWrite{event: ev})
}

// appendAuditFromSession queues one audit record from an agent session.
func (r *recorder) appendAuditFromSession(ev audit.Event) {
	r.enqueue(queuedWrite{event: ev, session: true})
}

// appendAuditFrom queues an audit record from an agent session, built on the recorder's
// goroutine, for records whose content costs decoding the agent's event path must not pay;
// build reports false when there is nothing to record.
func (r *recorder) appendAuditFrom(build func() (audit.Event, bool)) {
	r.enqueue(queuedWrite{build: build, session: true})
}

// appendPrompt queues the audit record of a prompt sent to the agent. A prompt is one write
// per turn, not agent output, so like the loop's writes it never waits for the session lane.
func (r *recorder) appendPrompt(ev audit.Event, prompt string) {
	r.enqueue(queuedWrite{what: auditWhat(ev), toAudit: true, write: func(ctx context.Context) error {
		_, err := r.auditLog.AppendPrompt(ctx, ev, prompt)
		return err
	}})
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
	defer func() {
		r.mu.Lock()
		r.stopped = true
		r.space.Broadcast()
		r.mu.Unlock()
	}()
	linger := time.NewTimer(recordLinger)
	linger.Stop()
	usageTimer := time.NewTimer(usageWriteInterval)
	usageTimer.Stop()
	for {
		// Unwritten usage the drain left for later gets a timer, so it is written within
		// usageWriteInterval of the last usage write even if nothing else comes.
		var usageDue <-chan time.Time
		if wait, left := r.drainQueue(false); left {
			usageTimer.Reset(wait)
			usageDue = usageTimer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-usageDue:
			continue
		case <-r.wake:
		}
		usageTimer.Stop()
		r.gather(ctx, linger)
	}
}

// gather waits up to recordLinger for more writes to join the ones queued, unless a full
// batch is queued already or arrives meanwhile.
func (r *recorder) gather(ctx context.Context, linger *time.Timer) {
	r.mu.Lock()
	now := r.urgent || len(r.queue) >= auditBatchLimit
	r.mu.Unlock()
	if now {
		return
	}
	linger.Reset(recordLinger)
	defer linger.Stop()
	select {
	case <-ctx.Done():
	case <-linger.C:
	case <-r.wake:
	}
}

// drain performs every queued write and writes every unwritten token delta; when it returns,
// every write posted and every delta summed before the call is in the store or audit log.
func (r *recorder) drain() {
	r.drainQueue(true)
}

// drainQueue performs every queued write. It writes the unwritten token usage with the first
// store write queued, and at the end when allUsage is set or usageWriteInterval has passed
// since the last usage write; it reports whether usage is left unwritten and how long until
// it is due. Taking the queue frees the session lane at once, so sessions refill it while
// this batch is written: at most twice sessionLimit session writes are held.
func (r *recorder) drainQueue(allUsage bool) (usageWait time.Duration, usageLeft bool) {
	r.draining.Lock()
	defer r.draining.Unlock()
	for {
		r.mu.Lock()
		batch := r.queue
		if len(batch) == 0 {
			// The empty queue keeps its array: swapping it out here dropped one array a
			// drain, and the next drain's queue grew from nothing.
			r.mu.Unlock()
			break
		}
		r.queue, r.spare, r.sessionQueued, r.urgent = r.spare, nil, 0, false
		r.space.Broadcast()
		r.mu.Unlock()
		r.perform(batch)
		// The writes are done; their closures and events must not be kept alive.
		clear(batch)
		r.mu.Lock()
		if r.spare == nil && cap(batch) <= maxSpareQueue {
			r.spare = batch[:0]
		}
		r.mu.Unlock()
	}
	if due, _ := r.usageDue(); allUsage || due {
		r.writeUsage(context.Background())
	}
	_, usageWait = r.usageDue()
	return max(usageWait, 0), r.hasUsage()
}

// perform writes batch in order, handing runs of consecutive audit records to the log as one
// batch each and committing runs of consecutive store writes together.
func (r *recorder) perform(batch []queuedWrite) {
	events := r.auditBatch[:0]
	// taken counts the queued audit writes behind events, some of which built no record.
	taken := int64(0)
	flushAudit := func() {
		defer func() {
			r.pendingAudit.Add(-taken)
			taken = 0
		}()
		if len(events) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
		if _, err := r.auditLog.AppendBatch(ctx, events); err != nil {
			r.log.Error("durable write failed", "write", "audit batch", "records", len(events), "error", err.Error())
		}
		cancel()
		clear(events)
		events = events[:0]
	}
	for i := 0; i < len(batch); i++ {
		w := batch[i]
		if stores := storeRun(batch[i:]); len(stores) > 0 {
			flushAudit()
			r.performStores(stores)
			i += len(stores) - 1
			continue
		}
		switch {
		case w.build != nil:
			taken++
			if ev, ok := w.build(); ok {
				events = append(events, ev)
			}
		case w.write == nil:
			taken++
			events = append(events, w.event)
		default:
			flushAudit()
			r.performOne(context.Background(), w)
		}
		if len(events) == auditBatchLimit {
			flushAudit()
		}
	}
	flushAudit()
	r.auditBatch = events
}

// performOne performs one write that is not a plain audit record, bounded by recordTimeout.
func (r *recorder) performOne(ctx context.Context, w queuedWrite) {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	if err := w.write(ctx); err != nil {
		r.log.Error("durable write failed", "write", w.what, "error", err.Error())
	}
	cancel()
	if w.isAudit() {
		r.pendingAudit.Add(-1)
	} else {
		r.pendingStore.Add(-1)
	}
}

// storeRun is the run of store writes batch starts with, at most storeBatchLimit long.
func storeRun(batch []queuedWrite) []queuedWrite {
	n := 0
	for n < len(batch) && n < storeBatchLimit && batch[n].write != nil && !batch[n].isAudit() {
		n++
	}
	return batch[:n]
}

// performStores performs consecutive store writes in one store batch, so they cost one
// commit (and one fsync of the WAL) instead of one each. The unwritten token usage goes first
// in the same batch: it costs no commit of its own, and a reader of the store who sees a
// write (a finished run) also sees every delta summed before it. Each write still fails
// alone; when the commit fails, every write of the batch is reported, since none can be
// counted on.
func (r *recorder) performStores(writes []queuedWrite) {
	var withUsage bool
	err := r.store.Batch(context.Background(), func(ctx context.Context) {
		withUsage = r.writeUsage(ctx)
		for _, w := range writes {
			r.performOne(ctx, w)
		}
	})
	if err != nil {
		var what []string
		if withUsage {
			what = append(what, "token usage")
		}
		for _, w := range writes {
			what = append(what, w.what)
		}
		r.log.Error("durable write failed", "write", "store batch", "writes", what, "error", err.Error())
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
