package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
)

// inboxSize lets a burst of worker reports queue without blocking the agents' protocol
// goroutines while the loop handles one message.
const inboxSize = 4096

// Orchestrator is the scheduling authority. Create it with New and start it with Run; its
// other methods are safe to call from any goroutine.
type Orchestrator struct {
	d     Deps
	s     Settings
	log   *slog.Logger
	clock Clock
	rec   *recorder
	w     *worker
	// transcripts keeps each issue's recent agent events behind its own lock.
	transcripts *transcripts

	// controlTimeout is fixed at New so callers never read loop-owned settings.
	controlTimeout time.Duration

	inbox chan loopMessage
	done  chan struct{}
	snap  atomic.Pointer[Snapshot]
	// published is closed, and replaced, by every publish: live readers wait on it instead of
	// polling the snapshot.
	published atomic.Pointer[chan struct{}]
	started   atomic.Bool
	workers   sync.WaitGroup
	// cleanups tracks the removal of terminal issues' workspaces, which shutdown waits for.
	cleanups sync.WaitGroup

	// Everything below is owned by the loop goroutine.
	running   map[string]*runEntry
	claimed   map[string]bool
	retries   map[string]*retryEntry
	watching  map[string]WatchingRow
	completed map[string]WatchingRow
	held      map[string]HeldRow
	// awaiting are issues whose agent asked a human a question; answers are the replies
	// that end such a wait, kept until the issue's next attempt is dispatched with them.
	awaiting map[string]*awaitingEntry
	answers  map[string]*prompt.HumanAnswer
	// threads are the kept conversations of replied-to issues, continued by their next
	// attempt.
	threads     map[string]*agent.KeptThread
	conflicts   []ConflictRow
	routeCache  map[string][]issue.Issue
	routeNext   int
	polling     bool
	refreshWant bool
	retryGen    uint64
	tickTimer   Timer
	dogTimer    Timer
	// quotaUntil is when the agent usage limit that holds new dispatch resets; zero when none
	// does. quotaTimer lifts it.
	quotaUntil time.Time
	quotaTimer Timer
	// publishedAt and publishTimer throttle progress-only snapshots (Settings.SnapshotInterval).
	publishedAt  time.Time
	publishTimer Timer

	// queued holds due retries and continuations that the tracker confirmed and that now wait
	// for a free slot; they stay claimed.
	queued map[string]*queuedEntry
	// candidates are the dispatchable issues of the latest complete poll, in dispatch order;
	// candidatesKnown stays false until every route has answered once, so nothing is
	// dispatched on half a picture.
	candidates      []issue.Issue
	candidatesKnown bool
	// waiting is what the last fillSlots left without a slot, in dispatch order; snapshots
	// share it, so it is replaced, never changed.
	waiting []QueuedRow
	// slotsChanged says something that decides who runs next changed since fillSlots ran.
	slotsChanged bool

	issueTokens    map[string]int64
	issueCostUSD   map[string]float64
	tokens         agent.TokenUsage
	runtimeSeconds float64
	day            string
	dailyTokens    int64
	// dayBudgetNoticed is the UTC day whose reached tokens_per_day was already notified.
	dayBudgetNoticed string
	// costUSD and dailyCostUSD are what all tokens, and today's, cost in US dollars.
	costUSD        float64
	dailyCostUSD   float64
	rateLimits     json.RawMessage
	pause          store.Pause
	diskBlock      string
	preflightBlock string
	lastPollAt     time.Time
	lastPollErr    string
	history        []HistoryRow
	stopping       bool
	gate           gateState
	// hosts are the worker hosts' slots and health; without worker hosts only last is used.
	hosts workerHosts
}

// runEntry is one attempt in progress.
type runEntry struct {
	runID       string
	issue       issue.Issue
	attempt     int
	startedAt   time.Time
	lastEventAt time.Time
	sawEvent    bool
	sessionID   string
	pid         int
	workspace   string
	lastEvent   agent.EventKind
	lastMessage string
	// eventSeq is the sink's number of the newest event applied: a progress report taken late
	// carries an event newer than direct reports still queued behind it, and those must not
	// turn the shown event back.
	eventSeq uint64
	turns    int
	tokens   agent.TokenUsage
	costUSD  float64
	cancel   context.CancelCauseFunc
	// host is the worker host the attempt holds a slot on; "" for this machine.
	host       string
	stopReason StopReason
	// handedOffTo is the state the agent moved its own issue to through a tool. Reconciliation
	// lets the turn finish instead of stopping the attempt when it sees that state.
	handedOffTo string
	// pr marks an explicit pull-request run: the tracker does not know its synthetic issue,
	// so reconciliation leaves it alone, and it is never retried or continued.
	pr *prompt.PullRequest
	// prURL is the pull request this attempt opened, once seen (notified as pr_opened).
	prURL string
}

// retryEntry is one scheduled retry; gen tells a live timer from a cancelled one.
type retryEntry struct {
	issueID    string
	identifier string
	repoKey    string
	attempt    int
	dueAt      time.Time
	err        string
	timer      Timer
	gen        uint64
}

// New checks deps and returns an orchestrator ready to Run.
func New(deps Deps) (*Orchestrator, error) {
	d, err := deps.check()
	if err != nil {
		return nil, err
	}
	o := &Orchestrator{
		d: d, s: d.Settings, log: d.Logger, clock: d.Clock, controlTimeout: d.Settings.ControlTimeout,
		inbox: make(chan loopMessage, inboxSize), done: make(chan struct{}),
		running: map[string]*runEntry{}, claimed: map[string]bool{}, retries: map[string]*retryEntry{}, queued: map[string]*queuedEntry{},
		watching: map[string]WatchingRow{}, completed: map[string]WatchingRow{}, held: map[string]HeldRow{},
		awaiting: map[string]*awaitingEntry{}, answers: map[string]*prompt.HumanAnswer{}, threads: map[string]*agent.KeptThread{},
		routeCache: map[string][]issue.Issue{}, issueTokens: map[string]int64{}, issueCostUSD: map[string]float64{},
	}
	if o.hosts, err = newWorkerHosts(d.Settings); err != nil {
		return nil, fmt.Errorf("orchestrator: %w", err)
	}
	o.initGate()
	o.transcripts = newTranscripts(d.Settings.TranscriptEvents, d.Redact)
	first := make(chan struct{})
	o.published.Store(&first)
	o.rec = newRecorder(d.Logger, d.Audit, d.Store)
	o.w = &worker{d: d, rec: o.rec, transcripts: o.transcripts}
	for _, w := range d.Settings.Warnings {
		o.log.Warn(w)
	}
	o.publish()
	return o, nil
}

// Snapshot returns the latest published state. It never blocks.
func (o *Orchestrator) Snapshot() *Snapshot { return o.snap.Load() }

// Published returns a channel that is closed when the next snapshot is published. Take it
// before reading Snapshot so no change is missed in between.
func (o *Orchestrator) Published() <-chan struct{} { return *o.published.Load() }

// Run restores durable state, then schedules until ctx ends, and finally shuts down
// gracefully: no new dispatch, every agent stopped with its after_run hook, pending store and
// audit writes flushed, all within Settings.ShutdownTimeout.
func (o *Orchestrator) Run(ctx context.Context) error {
	if !o.started.CompareAndSwap(false, true) {
		return errors.New("orchestrator: Run called twice")
	}
	if err := o.restore(ctx); err != nil {
		close(o.done)
		return err
	}
	recCtx, stopRec := context.WithCancel(context.Background())
	recDone := make(chan struct{})
	go func() {
		o.rec.run(recCtx)
		close(recDone)
	}()
	o.publish()
	o.startTimers()
	o.loop(ctx)
	// One real-time deadline covers stopping the agents and flushing: shutdown must end even
	// when a test's fake clock stands still.
	stopBy := time.Now().Add(o.s.ShutdownTimeout)
	o.shutdown(stopBy)
	o.awaitCleanups(stopBy)
	stopRec()
	<-recDone
	flushCtx, cancel := context.WithDeadline(context.Background(), stopBy)
	defer cancel()
	o.rec.flush(flushCtx)
	if err := o.d.Audit.Sync(flushCtx); err != nil {
		o.log.Error("shutdown: syncing the audit log failed", "error", err.Error())
	}
	close(o.done)
	o.log.Info("orchestrator stopped")
	return nil
}

func (o *Orchestrator) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-o.inbox:
			o.handle(m)
			o.handleQueued()
			scheduling := o.slotsChanged
			if scheduling {
				o.fillSlots()
			}
			o.publishAfter(scheduling)
		}
	}
}

// publishBatch bounds how many queued messages the loop handles before it publishes, so a
// burst of worker reports costs one snapshot instead of one each, yet readers never wait long.
const publishBatch = 256

func (o *Orchestrator) handleQueued() {
	for range publishBatch {
		select {
		case m := <-o.inbox:
			o.handle(m)
		default:
			return
		}
	}
}

// shutdown stops every attempt and keeps handling their exits until they are all gone or the
// shutdown timeout expires.
func (o *Orchestrator) shutdown(stopBy time.Time) {
	o.stopping = true
	o.waiting = nil
	o.gate.cancel()
	o.stopTimer(o.tickTimer)
	o.stopTimer(o.dogTimer)
	o.stopTimer(o.publishTimer)
	o.stopTimer(o.quotaTimer)
	o.stopProbes()
	for _, r := range o.retries {
		o.stopTimer(r.timer)
	}
	for _, e := range o.running {
		o.stop(e, StopShutdown, "Symphony is shutting down")
	}
	o.publish()
	allDone := waitDone(&o.workers)
	deadline := time.After(time.Until(stopBy))
	for len(o.running) > 0 {
		select {
		case m := <-o.inbox:
			o.handle(m)
			o.publish()
		case <-allDone:
			o.drainInbox()
			if len(o.running) > 0 {
				o.log.Warn("shutdown: workers ended without reporting", "count", len(o.running))
			}
			return
		case <-deadline:
			o.log.Error("shutdown: agents still running when the shutdown timeout expired", "count", len(o.running))
			return
		}
	}
}

// awaitCleanups waits, until stopBy, for workspace removals still under way: a removal cut off
// by the process exiting would leave a half-removed workspace and a before_remove hook killed
// midway.
func (o *Orchestrator) awaitCleanups(stopBy time.Time) {
	select {
	case <-waitDone(&o.cleanups):
	case <-time.After(time.Until(stopBy)):
		o.log.Error("shutdown: workspace removals still running when the shutdown timeout expired")
	}
}

// waitDone returns a channel that is closed once wg's counter reaches zero.
func waitDone(wg *sync.WaitGroup) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

func (o *Orchestrator) drainInbox() {
	for {
		select {
		case m := <-o.inbox:
			o.handle(m)
		default:
			o.publish()
			return
		}
	}
}

func (o *Orchestrator) stopTimer(t Timer) {
	if t != nil {
		t.Stop()
	}
}

// send delivers a message to the loop, or drops it once the loop has finished for good.
func (o *Orchestrator) send(m loopMessage) {
	select {
	case o.inbox <- m:
	case <-o.done:
	}
}

// handle runs one message. Every message except a worker's progress report may change who
// runs next (a freed slot, new candidates, a lifted pause), so it marks the slots for
// fillSlots; onUpdate marks them itself when an attempt changes state.
func (o *Orchestrator) handle(m loopMessage) {
	switch m.(type) {
	case workerUpdate, msgPublish:
	default:
		o.slotsChanged = true
	}
	switch m := m.(type) {
	case msgTick:
		o.onTick()
	case msgWatchdog:
		o.onWatchdog()
	case msgQuotaReset:
		o.onQuotaReset()
	case msgMovedBack:
		o.onMovedBack(m)
	case msgPoll:
		o.onPoll(m)
	case msgRetryDue:
		o.onRetryDue(m)
	case msgRetryPoll:
		o.onRetryPoll(m)
	case workerUpdate:
		o.onUpdate(m)
	case msgExit:
		o.onExit(m)
	case msgControl:
		o.onControl(m)
	case msgSettings:
		o.onSettings(m)
	case msgDispatchPR:
		o.onDispatchPR(m)
	case msgGate:
		o.onGate(m)
	case msgProbeDue:
		o.onProbeDue()
	case msgProbeResult:
		o.onProbeResult(m)
	case msgPublish:
		o.publishTimer = nil
	default:
		panic(fmt.Sprintf("orchestrator: the loop has no handler for %T", m))
	}
}

// stop ends an attempt early; the worker reports its exit with the reason as cause.
func (o *Orchestrator) stop(e *runEntry, reason StopReason, detail string) {
	if e.stopReason != "" {
		return
	}
	e.stopReason = reason
	o.log.Info("stopping attempt", "issue_id", e.issue.ID, "issue_identifier", e.issue.Identifier,
		"repo_key", e.issue.RepoKey, "session_id", e.sessionID, "reason", string(reason), "detail", detail)
	e.cancel(&stopError{Reason: reason, Detail: detail})
}

// PendingWrites reports how many audit records and store writes are queued for the recorder
// and not yet written. It never blocks.
func (o *Orchestrator) PendingWrites() (audit, store int) {
	return int(o.rec.pendingAudit.Load()), int(o.rec.pendingStore.Load())
}
