package orchestrator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/memory"
)

// durableLog opens a real run store and audit log in a temporary state root.
func durableLog(t *testing.T) (*store.Store, *audit.Log, string) {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: red, Head: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return st, log, root
}

// runRecorder starts rec's run goroutine and returns a function that stops it and flushes
// what is left, as the orchestrator does at shutdown.
func runRecorder(t *testing.T, rec *recorder) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { rec.run(ctx); close(ran) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-ran
			flushCtx, done := context.WithTimeout(context.Background(), waitLimit)
			defer done()
			rec.flush(flushCtx)
		})
	}
	t.Cleanup(stop)
	return stop
}

// verifiedRecords verifies the chain against its checkpoint and returns every record.
func verifiedRecords(t *testing.T, log *audit.Log, st *store.Store, root string) []audit.Record {
	t.Helper()
	ctx := context.Background()
	if err := log.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	report, err := audit.Verify(ctx, audit.VerifyOptions{Dir: audit.Dir(root), Head: st})
	if err != nil || !report.Intact() || !report.CheckpointChecked {
		t.Fatalf("audit verify: %+v %v", report, err)
	}
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(root)})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != report.Records {
		t.Fatalf("query read %d records, verify %d", len(recs), report.Records)
	}
	return recs
}

func number(t *testing.T, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatalf("%v is not an integer: %v", v, err)
	}
	return n
}

// floodSession is what one session streams in the flood test and what its records must show.
type floodSession struct {
	id                                              string
	commands, files, usages                         int
	deltas                                          int
	deltaBytes                                      int64
	firstDelta, lastDelta                           string
	deltasPerCommand, deltasPerFile, deltasPerUsage int
}

// feed streams n delta frames, one millisecond apart, with a side effect interleaved every
// few of them: a command, a file change, a token usage update.
func (f *floodSession) feed(sink *eventSink, n int) {
	zero := 0
	at := epoch
	for i := range n {
		at = at.Add(time.Millisecond)
		method := []string{"item/agentMessage/delta", "item/reasoning/textDelta", "item/commandExecution/outputDelta"}[i%3]
		raw := fmt.Sprintf(`{"method":%q,"params":{"threadId":"t","itemId":"i","delta":"%s chunk %d"}}`, method, f.id, i)
		if i == 0 {
			f.firstDelta = raw
		}
		f.lastDelta = raw
		f.deltas++
		f.deltaBytes += int64(len(raw))
		sink.observe(agent.Event{Kind: agent.EventNotification, Time: at, SessionID: f.id, Method: method, Raw: []byte(raw)})
		switch {
		case i%f.deltasPerCommand == 0:
			sink.observe(agent.Event{Kind: agent.EventNotification, Time: at, SessionID: f.id, Method: "item/completed",
				Activity: activity(agent.ActivityCommand, agent.ActivityDetails{Command: fmt.Sprintf("%s cmd %d", f.id, f.commands), Status: "completed", ExitCode: &zero})})
			f.commands++
		case i%f.deltasPerFile == 1:
			sink.observe(agent.Event{Kind: agent.EventNotification, Time: at, SessionID: f.id, Method: "item/completed",
				Activity: activity(agent.ActivityFileChange, agent.ActivityDetails{Status: "completed", Paths: []string{fmt.Sprintf("/ws/%s/%d.go", f.id, f.files)}})})
			f.files++
		case i%f.deltasPerUsage == 2:
			sink.observe(agent.Event{Kind: agent.EventTokenUsage, Time: at, SessionID: f.id, UsageDelta: &agent.TokenUsage{Output: 1, Total: 1}})
			f.usages++
		}
	}
	sink.flushSummary()
}

// A flood of streamed output with side effects interleaved, from two sessions at once through
// a small session lane while the loop posts its own records, leaves a log that verifies, holds
// every side effect in the order its session reported it, and accounts for every delta byte in
// a few summaries.
func TestAuditFloodKeepsEverySideEffect(t *testing.T) {
	st, log, root := durableLog(t)
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), log, st)
	rec.sessionLimit = 64
	stop := runRecorder(t, rec)
	w := &worker{d: Deps{Store: st, Audit: log, Clock: SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, rec: rec}

	const deltasPerSession = 50_000
	sessions := []*floodSession{
		{id: "thread-a-turn-1", deltasPerCommand: 100, deltasPerFile: 500, deltasPerUsage: 1000},
		{id: "thread-b-turn-1", deltasPerCommand: 100, deltasPerFile: 500, deltasPerUsage: 1000},
	}
	var wg sync.WaitGroup
	for n, f := range sessions {
		sink := w.sink(func(error) {}, attemptJob{runID: "run-" + f.id, issue: newIssue(n+1, "In Progress")}, 0, 0, func(workerUpdate) {})
		wg.Go(func() { f.feed(sink, deltasPerSession) })
	}
	const loopRecords = 200
	wg.Go(func() {
		for i := range loopRecords {
			rec.appendAudit(audit.Event{Type: audit.EventOperatorAction, Details: map[string]any{"action": "refresh", "n": i}})
		}
	})
	wg.Wait()
	stop()

	recs := verifiedRecords(t, log, st, root)
	operator := 0
	type seen struct {
		commands, files, usages, summaries, frames int
		bytes                                      int64
		first, last                                string
	}
	got := map[string]*seen{}
	for _, f := range sessions {
		got[f.id] = &seen{}
	}
	for _, r := range recs {
		if r.EventType == audit.EventOperatorAction {
			if number(t, r.Details["n"]) != int64(operator) {
				t.Fatalf("operator record %d out of order: %v", operator, r.Details)
			}
			operator++
			continue
		}
		s := got[r.SessionID]
		if s == nil {
			t.Fatalf("record for unknown session %q: %+v", r.SessionID, r)
		}
		switch r.EventType {
		case audit.EventCommandExecuted:
			if want := fmt.Sprintf("%s cmd %d", r.SessionID, s.commands); r.Details["command"] != want {
				t.Fatalf("command record %q, want %q next", r.Details["command"], want)
			}
			s.commands++
		case audit.EventFileChanged:
			s.files++
		case audit.EventTokenUsage:
			s.usages++
		case audit.EventAgentOutputSummary:
			if s.summaries == 0 {
				s.first = r.Details["first"].(string)
			}
			s.last = r.Details["last"].(string)
			s.summaries++
			s.frames += int(number(t, r.Details["frames"]))
			s.bytes += number(t, r.Details["bytes"])
		default:
			t.Fatalf("unexpected %s record: a delta must not become its own record", r.EventType)
		}
	}
	if operator != loopRecords {
		t.Errorf("%d of %d loop records written", operator, loopRecords)
	}
	for _, f := range sessions {
		s := got[f.id]
		if s.commands != f.commands || s.files != f.files || s.usages != f.usages {
			t.Errorf("%s: recorded %d commands, %d file changes, %d token usages; reported %d, %d, %d",
				f.id, s.commands, s.files, s.usages, f.commands, f.files, f.usages)
		}
		if s.frames != f.deltas || s.bytes != f.deltaBytes {
			t.Errorf("%s: summaries account for %d frames, %d bytes; streamed %d frames, %d bytes", f.id, s.frames, s.bytes, f.deltas, f.deltaBytes)
		}
		// 50 000 frames a millisecond apart span 50 s: five 10 s intervals, and the flush at
		// the end may cut a sixth.
		if s.summaries < 5 || s.summaries > 6 {
			t.Errorf("%s: %d summary records for 50 s of output, want 5 or 6", f.id, s.summaries)
		}
		// The frames are shorter than the excerpt bound, so the excerpts are whole frames.
		if s.first != f.firstDelta || s.last != f.lastDelta {
			t.Errorf("%s: excerpts %q ... %q, want the first and last frames %q ... %q", f.id, s.first, s.last, f.firstDelta, f.lastDelta)
		}
	}
}

// gatedAudit holds every batch until open is closed, like a disk that stalled.
type gatedAudit struct {
	*audit.Log
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (g *gatedAudit) AppendBatch(ctx context.Context, evs []audit.Event) (int, error) {
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.open:
	case <-time.After(waitLimit):
		return 0, fmt.Errorf("gate never opened")
	}
	return g.Log.AppendBatch(ctx, evs)
}

// While the log is stalled, a session posting more than the lane holds waits in its event
// intake, the loop's own posts still return at once, and when the log moves again every
// record is written in order: the full queue slowed intake and lost nothing.
func TestFullAuditQueueSlowsIntakeWithoutLoss(t *testing.T) {
	st, log, root := durableLog(t)
	gate := &gatedAudit{Log: log, open: make(chan struct{}), entered: make(chan struct{})}
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), gate, st)
	const limit, total = 8, 100
	rec.sessionLimit = limit
	stop := runRecorder(t, rec)

	var posted atomic.Int64
	intakeDone := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		for i := range total {
			rec.appendAuditFromSession(audit.Event{SessionID: "thread-1-turn-1", Type: audit.EventTokenUsage, Details: map[string]any{"n": i}})
			posted.Add(1)
		}
		intakeDone <- time.Since(start)
	}()
	select {
	case <-gate.entered:
	case <-time.After(waitLimit):
		t.Fatal("the recorder never started writing")
	}
	deadline := time.Now().Add(waitLimit)
	for {
		rec.mu.Lock()
		full := rec.sessionQueued == limit
		rec.mu.Unlock()
		if full {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session lane never filled; %d posted", posted.Load())
		}
		time.Sleep(time.Millisecond)
	}

	loopPosted := make(chan struct{})
	go func() {
		rec.appendAudit(audit.Event{Type: audit.EventOperatorAction, Details: map[string]any{"action": "pause"}})
		close(loopPosted)
	}()
	select {
	case <-loopPosted:
	case <-time.After(waitLimit):
		t.Fatal("a loop post waited for the full session lane")
	}

	const stall = 100 * time.Millisecond
	before := posted.Load()
	time.Sleep(stall)
	if after := posted.Load(); after != before || after >= total {
		t.Fatalf("intake went on while the lane was full: %d then %d of %d posted", before, after, total)
	}
	// The first batch the recorder took plus one full lane is all a stalled log holds.
	if before > 2*limit {
		t.Fatalf("%d session records accepted while the log was stalled; the lane holds %d", before, limit)
	}
	close(gate.open)
	var took time.Duration
	select {
	case took = <-intakeDone:
	case <-time.After(waitLimit):
		t.Fatalf("intake never finished after the log moved again; %d of %d posted", posted.Load(), total)
	}
	if took < stall {
		t.Fatalf("intake of %d records took %v, less than the %v the log stalled", total, took, stall)
	}
	t.Logf("intake of %d records waited %v behind a log stalled for at least %v (lane of %d)", total, took, stall, limit)
	stop()

	next := 0
	operator := 0
	for _, r := range verifiedRecords(t, log, st, root) {
		switch r.EventType {
		case audit.EventOperatorAction:
			operator++
		case audit.EventTokenUsage:
			if number(t, r.Details["n"]) != int64(next) {
				t.Fatalf("record %v out of order; want n=%d", r.Details, next)
			}
			next++
		}
	}
	if next != total || operator != 1 {
		t.Fatalf("%d of %d session records and %d of 1 loop record written", next, total, operator)
	}
}

// With the session lane full and nothing draining it, a new attempt's bootstrap records and
// its prompt are still queued at once, and land after the agent records queued before them.
func TestBootstrapAndPromptDoNotWaitForTheSessionLane(t *testing.T) {
	st, log, root := durableLog(t)
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), log, st)
	rec.sessionLimit = 2
	// Should the posts wait after all, a drain at the end lets them go.
	t.Cleanup(rec.drain)
	tr, err := memory.New(memory.Options{Settings: tracker.Settings{Routes: []tracker.Route{{Key: "app", Default: true}},
		ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Done"}}})
	if err != nil {
		t.Fatal(err)
	}
	is := newIssue(1, "Todo")
	tr.Put(is)
	w := &worker{d: Deps{Store: st, Audit: log, Tracker: tr, Clock: SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, rec: rec}
	for i := range rec.sessionLimit {
		rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted, Details: map[string]any{"command": fmt.Sprint("agent cmd ", i)}})
	}
	settings := Settings{StartState: "Todo", WorkingState: "In Progress", TrackerTimeout: waitLimit, AgentKind: "codex"}
	done := make(chan error, 1)
	go func() {
		_, err := w.bootstrap(context.Background(), settings, is, "run-1")
		rec.appendPrompt(issueEvent(time.Now(), is, "run-1", "s-1", audit.EventPromptSent, map[string]any{"turn": 1}), "do the work")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("bootstrap or the prompt waited for the full session lane")
	}
	rec.drain()
	var types []string
	for _, r := range verifiedRecords(t, log, st, root) {
		types = append(types, r.EventType)
	}
	want := []string{audit.EventCommandExecuted, audit.EventCommandExecuted, audit.EventTrackerStateChanged, audit.EventTrackerComment, audit.EventPromptSent}
	if !slices.Equal(types, want) {
		t.Errorf("records %v, want %v", types, want)
	}
}

// countingAudit counts the batches the recorder hands the log.
type countingAudit struct {
	*audit.Log
	mu      sync.Mutex
	batches int
}

func (c *countingAudit) AppendBatch(ctx context.Context, evs []audit.Event) (int, error) {
	c.mu.Lock()
	c.batches++
	c.mu.Unlock()
	return c.Log.AppendBatch(ctx, evs)
}

// Records a session posts in a burst gather into a few batches instead of one write each, and
// all of them are written.
func TestSessionRecordsGatherIntoBatches(t *testing.T) {
	st, log, root := durableLog(t)
	counted := &countingAudit{Log: log}
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), counted, st)
	stop := runRecorder(t, rec)
	const total = 100
	for i := range total {
		rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted, Details: map[string]any{"n": i}})
	}
	stop()
	if recs := verifiedRecords(t, log, st, root); len(recs) != total {
		t.Fatalf("%d records written, want %d", len(recs), total)
	}
	if counted.batches >= total/2 {
		t.Fatalf("%d records took %d batches; a burst should gather", total, counted.batches)
	}
}

// batchCountingStore records which writes each store batch held, by the names they were
// posted with.
type batchCountingStore struct {
	*store.Store
	mu      sync.Mutex
	batches [][]string
	current *[]string
}

func (b *batchCountingStore) Batch(ctx context.Context, writes func(context.Context)) error {
	return b.Store.Batch(ctx, func(ctx context.Context) {
		var names []string
		b.mu.Lock()
		b.current = &names
		b.mu.Unlock()
		writes(ctx)
		b.mu.Lock()
		b.batches = append(b.batches, names)
		b.current = nil
		b.mu.Unlock()
	})
}

func (b *batchCountingStore) note(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current != nil {
		*b.current = append(*b.current, name)
	}
}

// Store writes queued one after another share one commit, up to the next audit record; a
// write that fails inside a batch is logged by its own name and the others still land.
func TestConsecutiveStoreWritesShareACommit(t *testing.T) {
	st, log, _ := durableLog(t)
	counted := &batchCountingStore{Store: st}
	failures := &syncBuffer{}
	rec := newRecorder(slog.New(slog.NewTextHandler(failures, nil)), log, counted)
	ctx := context.Background()
	startRun := func(id string) {
		rec.post("start run "+id, func(ctx context.Context) error {
			counted.note(id)
			_, err := counted.StartRun(ctx, store.Run{RepoKey: "app", IssueID: "issue-" + id, ID: id})
			return err
		})
	}
	startRun("r1")
	startRun("r2")
	rec.post("record agent process", func(ctx context.Context) error {
		counted.note("agent of a missing run")
		return counted.SetRunAgent(ctx, "app", "no-such-run", 42, 7)
	})
	startRun("r3")
	rec.appendAudit(audit.Event{Type: "between"})
	startRun("r4")
	startRun("r5")
	rec.drain()

	want := [][]string{{"r1", "r2", "agent of a missing run", "r3"}, {"r4", "r5"}}
	if !slices.EqualFunc(counted.batches, want, slices.Equal) {
		t.Fatalf("store batches = %q, want %q", counted.batches, want)
	}
	runs, err := st.Runs(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 5 {
		t.Fatalf("%d runs stored, want all 5", len(runs))
	}
	if logged := failures.String(); !strings.Contains(logged, "record agent process") || strings.Contains(logged, "store batch") {
		t.Fatalf("failure log = %q, want the failed write named alone and no batch failure", logged)
	}
}

// Sessions post records while a drain writes the ones before them, so a drain takes the queue
// more than once. The queue's arrays must survive that: an array dropped on every drain made
// the next one grow its queue from nothing, a tenth of what a streaming service allocated.
func TestDrainsKeepTheQueueArrays(t *testing.T) {
	st, log, root := durableLog(t)
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), log, st)
	const perBurst, drains = 40, 8
	post := func() {
		rec.appendAuditFromSession(audit.Event{Type: audit.EventCommandExecuted, Details: map[string]any{"n": 1}})
	}
	arrays := map[*queuedWrite]bool{}
	for range drains {
		for range perBurst {
			post()
		}
		// The first write's record is built during the drain, and posts a second burst then.
		rec.appendAuditFrom(func() (audit.Event, bool) {
			for range perBurst {
				post()
			}
			return audit.Event{Type: audit.EventCommandExecuted}, true
		})
		arrays[&rec.queue[:1][0]] = true
		rec.drainQueue(false)
	}
	if len(arrays) > 2 {
		t.Fatalf("the queue filled %d different arrays over %d drains; two, taken in turn, are enough", len(arrays), drains)
	}
	if recs := verifiedRecords(t, log, st, root); len(recs) != drains*(2*perBurst+1) {
		t.Fatalf("%d records written, want %d", len(recs), drains*(2*perBurst+1))
	}
}
