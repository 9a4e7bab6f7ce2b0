package orchestrator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// floodEvents are the session events one block of codextest's flood turns into, each
// carrying its frame as Raw: notifications (deltas among them), token usage updates, and for
// every completed command its activity. It also returns the block's size in bytes.
func floodEvents(tb testing.TB, sessionID string) ([]agent.Event, int64) {
	var block bytes.Buffer
	if err := codexfake.WriteFlood(&block, 1, "thread-1", "turn-1"); err != nil {
		tb.Fatal(err)
	}
	size := int64(block.Len())
	var evs []agent.Event
	zero, i := 0, 0
	for line := range bytes.Lines(block.Bytes()) {
		var frame struct{ Method string }
		if err := json.Unmarshal(line, &frame); err != nil {
			tb.Fatal(err)
		}
		ev := agent.Event{Kind: agent.EventNotification, Time: epoch, SessionID: sessionID, Method: frame.Method, Raw: bytes.TrimSuffix(line, []byte("\n"))}
		switch frame.Method {
		case "thread/tokenUsage/updated":
			ev.Kind, ev.UsageDelta = agent.EventTokenUsage, &agent.TokenUsage{UncachedInput: 9, Output: 1, Total: 10}
		case "item/completed":
			output := strings.Repeat(fmt.Sprintf("ok  \tgithub.com/example/pkg%d\t0.%03ds\n", i, i), 4+i%24)
			ev.Activity = activity(agent.ActivityCommand, agent.ActivityDetails{
				Command: fmt.Sprintf("/bin/bash -lc 'go test ./pkg%d/...'", i), Cwd: "/srv/workspaces/ENG-1", Status: "completed", ExitCode: &zero,
				Output: output[:min(len(output), agent.ActivityOutputPreviewRunes)],
			})
			i++
		}
		evs = append(evs, ev)
	}
	return evs, size
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAuditFlood feeds one session's share of a flood (codexfake.WriteFlood's blocks, as
// session events) through the worker's event sink into the recorder, a real run store and a
// real audit log, and reports the process CPU spent per MiB of agent output, audit records
// written per second, audit bytes per record and per MiB of agent output, and the heap in use
// when the last event was handed over (what a backlog of queued writes costs).
func BenchmarkAuditFlood(b *testing.B) {
	benchAuditFlood(b, 1, 0)
}

// BenchmarkAuditFloodSessions is BenchmarkAuditFlood at the pace of issue 18's bench: 200
// sessions (one issue each) each streaming 1 MiB in 10 s, taking turns block by block. Paced,
// the recorder drains as often as it does in the service, so the store's token usage
// transactions per second (usage_tx/s, also reported) and the CPU they cost show as they do
// there; unpaced, a drain takes hundreds of blocks and hides them.
func BenchmarkAuditFloodSessions(b *testing.B) {
	const sessions, perSession, over = 200, 1 << 20, 10 * time.Second
	_, blockBytes := floodEvents(b, "thread-1-turn-1")
	benchAuditFlood(b, sessions, time.Duration(int64(over)*blockBytes/(sessions*perSession)))
}

// benchAuditFlood feeds flood blocks to sessions in turn, one block every pace when pace is
// set, as fast as the recorder takes them otherwise.
func benchAuditFlood(b *testing.B, sessions int, pace time.Duration) {
	ctx := context.Background()
	root := b.TempDir()
	red := secretscan.New()
	real, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		b.Fatal(err)
	}
	defer real.Close()
	st := &countingStore{Store: real}
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: red, Head: real})
	if err != nil {
		b.Fatal(err)
	}
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), log, st)
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { rec.run(runCtx); close(ran) }()
	w := &worker{d: Deps{Store: st, Audit: log, Clock: SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, rec: rec}
	sinks := make([]*eventSink, sessions)
	for i := range sinks {
		job := attemptJob{runID: fmt.Sprint("run-", i+1), issue: newIssue(i+1, "In Progress")}
		sinks[i] = w.sink(func(error) {}, job, 0, 0, func(workerUpdate) {})
	}
	block, blockBytes := floodEvents(b, "thread-1-turn-1")

	blocks := 0
	startCPU, start := cpuTime(b), time.Now()
	for b.Loop() {
		sink := sinks[blocks%sessions]
		for _, ev := range block {
			sink.observe(ev)
		}
		blocks++
		if pace > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(blocks) * pace)))
		}
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	stopRun()
	<-ran
	rec.flush(ctx)
	if err := log.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	spentCPU, elapsed := cpuTime(b)-startCPU, time.Since(start)
	b.StopTimer()
	records, _ := log.Head()
	if err := log.Close(); err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(audit.Dir(root), "*.ndjson"))
	var written int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		written += fi.Size()
	}
	mib := float64(int64(blocks)*blockBytes) / (1 << 20)
	b.ReportMetric(float64(spentCPU.Milliseconds())/mib, "cpu_ms/MiB")
	b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(written)/float64(records), "bytes/record")
	b.ReportMetric(float64(written)/mib, "audit_bytes/MiB")
	b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "heap_after_intake_MiB")
	if sessions > 1 {
		b.ReportMetric(float64(st.usageWrites.Load())/elapsed.Seconds(), "usage_tx/s")
	}
}
