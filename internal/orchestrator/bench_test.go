package orchestrator

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

const benchIssues = 200

// pollStamp records when the candidate poll handed its result back.
type pollStamp struct {
	tracker.Tracker
	mu sync.Mutex
	at time.Time
}

func (p *pollStamp) FetchRouteCandidates(ctx context.Context, key string) ([]issue.Issue, error) {
	list, err := p.Tracker.FetchRouteCandidates(ctx, key)
	p.mu.Lock()
	if p.at.IsZero() {
		p.at = time.Now()
	}
	p.mu.Unlock()
	return list, err
}

// benchFleet starts an orchestrator over benchIssues active issues with max_total equal to
// that, and returns once every fake agent has started; gate holds their first turns open.
func benchFleet(b *testing.B, gate chan struct{}) (h *harness, pollToStarts time.Duration) {
	stamp := &pollStamp{}
	h = newHarness(b, func(c *harnessConfig) {
		c.settings.MaxTotal = benchIssues
		c.settings.PollInterval = time.Hour
		c.wrap = func(tr tracker.Tracker) tracker.Tracker { stamp.Tracker = tr; return stamp }
	})
	h.agents.StartedCh = make(chan string, benchIssues)
	for n := 1; n <= benchIssues; n++ {
		is := newIssue(n, "In Progress")
		h.put(is)
		h.agents.Script(is.Identifier, scriptWait(gate))
	}
	h.start()
	deadline := time.After(waitLimit)
	for range benchIssues {
		select {
		case <-h.agents.StartedCh:
		case <-deadline:
			b.Fatalf("only %d of %d agents started", h.agents.Starts(), benchIssues)
		}
	}
	stamp.mu.Lock()
	defer stamp.mu.Unlock()
	return h, time.Since(stamp.at)
}

// BenchmarkDispatch200 measures the time from the poll result to every one of 200 fake agents
// having completed Start, with a real workspace manager and run store.
func BenchmarkDispatch200(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		gate := make(chan struct{})
		h, took := benchFleet(b, gate)
		total += took
		close(gate)
		h.shutdown()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/poll-to-200-starts")
}

// BenchmarkMemoryPerSession reports the heap and RSS growth per running session with 200
// sessions running, orchestrator and fake agent together.
func BenchmarkMemoryPerSession(b *testing.B) {
	for i := 0; i < b.N; i++ {
		heap0, rss0 := memNow()
		gate := make(chan struct{})
		h, _ := benchFleet(b, gate)
		h.waitFor("all running", func(s *Snapshot) bool { return len(s.Running) == benchIssues })
		heap1, rss1 := memNow()
		b.ReportMetric(float64(heap1-heap0)/benchIssues, "heap-B/session")
		b.ReportMetric(float64(rss1-rss0)/benchIssues, "rss-B/session")
		close(gate)
		h.shutdown()
	}
}

func memNow() (heap, rss int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc), rssBytes()
}

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkSnapshotPublish shows that publishing a snapshot costs the same with 10 000 runs in
// history as with none.
func BenchmarkSnapshotPublish(b *testing.B) {
	for _, history := range []int{0, 10000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			h := newHarness(b)
			o, err := New(h.deps())
			if err != nil {
				b.Fatal(err)
			}
			for n := range 20 {
				is := newIssue(n, "In Progress")
				o.running[is.ID] = &runEntry{runID: strconv.Itoa(n), issue: is, startedAt: epoch}
			}
			for n := range history {
				o.history = append(o.history, HistoryRow{RunID: strconv.Itoa(n), IssueID: "id", Status: store.StatusSuccess})
			}
			b.ReportAllocs()
			for b.Loop() {
				o.publish()
			}
			if got := len(o.Snapshot().History); got != history {
				b.Fatalf("snapshot history %d, want %d", got, history)
			}
		})
	}
}

// BenchmarkLoopWhileRead measures how many worker reports per second the loop folds in with
// 200 running sessions, with no readers and with 8 clients each reading and encoding the
// snapshot every 20 ms (400 reads/s, far above a dashboard's once a second): the loop never
// waits for a reader, so the rates should match within noise. Readers spinning without pause
// would only show CPU contention on a small machine, not blocking.
func BenchmarkLoopWhileRead(b *testing.B) {
	const batch = 10000
	for _, readers := range []int{0, 8} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			gate := make(chan struct{})
			h, _ := benchFleet(b, gate)
			defer func() { close(gate); h.shutdown() }()
			rows := h.waitFor("all running", func(s *Snapshot) bool { return len(s.Running) == benchIssues }).Running
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var reads atomic.Int64
			for range readers {
				wg.Go(func() {
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
						}
						if _, err := json.Marshal(h.o.Snapshot()); err != nil {
							b.Error(err)
							return
						}
						reads.Add(1)
					}
				})
			}
			ev := &agent.Event{Kind: agent.EventNotification, Message: "working"}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				for n := range batch {
					r := rows[n%len(rows)]
					h.o.send(workerUpdate{runID: r.RunID, issueID: r.IssueID, event: ev})
				}
				// A control round trip returns once the loop has handled everything before it.
				if err := h.o.Pause("bench"); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "updates/s")
			b.ReportMetric(float64(reads.Load())/elapsed.Seconds(), "snapshot-reads/s")
		})
	}
}
