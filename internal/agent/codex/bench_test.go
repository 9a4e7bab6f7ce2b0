package codex

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// floodBenchBytes is how much the fake app-server writes in BenchmarkIngestFlood.
const floodBenchBytes = 200 << 20

// BenchmarkIngestFlood measures how fast the adapter ingests a flood of realistic
// notifications from the fake app-server, against `cat` reading the same bytes from the same
// generator into /dev/null. Run it with:
//
//	go test -run '^$' -bench BenchmarkIngestFlood -benchtime 5x ./internal/agent/codex
//
// It reports the adapter's rate, cat's rate, the adapter's CPU time per MB and peak live heap,
// and the ratio of the two rates. Each iteration times cat and then the adapter, so the ratio
// is taken per iteration and the median reported: on a shared machine the speed of both
// drifts by more than the difference being measured.
func BenchmarkIngestFlood(b *testing.B) {
	var adapterTime, catTime, adapterCPU time.Duration
	var peak uint64
	var ratios []float64
	for b.Loop() {
		c := catFlood(b)
		before := cpuTime()
		d, p := adapterFlood(b)
		adapterCPU += cpuTime() - before
		catTime, adapterTime = catTime+c, adapterTime+d
		peak = max(peak, p)
		ratios = append(ratios, c.Seconds()/d.Seconds())
	}
	n := float64(b.N)
	mb := float64(floodBenchBytes) / (1 << 20)
	b.ReportMetric(mb/(adapterTime.Seconds()/n), "adapter-MB/s")
	b.ReportMetric(mb/(catTime.Seconds()/n), "cat-MB/s")
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	// CPU time is what the adapter costs the machine, independent of how busy it is.
	b.ReportMetric(adapterCPU.Seconds()*1000/n/mb, "adapter-cpu-ms/MB")
}

// cpuTime is the user plus system CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// catFlood times the generator piped into cat, less the time the same command takes with
// next to nothing to copy (the generator's smallest flood is one block of about 60 KB): the
// adapter's time does not include starting Codex either.
func catFlood(b *testing.B) time.Duration {
	b.Helper()
	return catRun(b, floodBenchBytes) - catRun(b, 1)
}

func catRun(b *testing.B, floodBytes int) time.Duration {
	b.Helper()
	cmd := exec.Command("bash", "-c", shellQuote(os.Args[0])+" | cat > /dev/null")
	cmd.Env = append(os.Environ(), codexfake.EnvScenario+"="+codexfake.FakeFloodRaw, codexfake.EnvFloodBytes+"="+strconv.Itoa(floodBytes))
	setProcessGroup(cmd)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("cat baseline: %v\n%s", err, out)
	}
	return time.Since(start)
}

// adapterFlood times one turn during which the fake floods the adapter, and samples the live
// heap meanwhile.
func adapterFlood(b *testing.B) (time.Duration, uint64) {
	b.Helper()
	root := b.TempDir()
	ws := root + "/ISSUE-1"
	if err := os.Mkdir(ws, 0o755); err != nil {
		b.Fatal(err)
	}
	var events atomic.Int64
	s := New(Options{
		Command:        shellQuote(os.Args[0]),
		WorkspaceRoot:  root,
		Workspace:      ws,
		StateDir:       b.TempDir(),
		AuthFile:       root + "/no-auth.json",
		Env:            agentEnv(codexfake.EnvScenario+"="+codexfake.FakeFlood, codexfake.EnvFloodBytes+"="+strconv.Itoa(floodBenchBytes)),
		ApprovalPolicy: "never",
		TurnTimeout:    5 * time.Minute,
		Events:         func(agent.Event) { events.Add(1) },
	})
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer s.Stop(ctx)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go samplePeakHeap(stop, peak)
	start := time.Now()
	_, err := s.RunTurn(ctx, "flood")
	elapsed := time.Since(start)
	close(stop)
	p := <-peak
	if err != nil {
		b.Fatalf("flood turn: %v", err)
	}
	if events.Load() < 100000 {
		b.Fatalf("only %d events for a %d-byte flood", events.Load(), floodBenchBytes)
	}
	return elapsed, p
}

func samplePeakHeap(stop <-chan struct{}, out chan<- uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
		select {
		case <-stop:
			out <- peak
			return
		case <-tick.C:
		}
	}
}

// The two stages of ingest, each on one goroutine with no pipe or second process involved,
// on the same realistic notifications: the reader goroutine's decode, and the owner
// goroutine's classify, account and emit. IngestFlood runs them side by side, so the slower
// of the two bounds it.

func BenchmarkReaderStage(b *testing.B) {
	lines := floodLines(b)
	b.SetBytes(int64(floodBytes(lines)))
	for b.Loop() {
		for _, line := range lines {
			if _, err := decodeFrame(line); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkProtocolStage(b *testing.B) {
	lines := floodLines(b)
	items := make([]jsonl.Item[jsonl.Frame], len(lines))
	for i, line := range lines {
		items[i] = decodedLine(b, string(line))
	}
	var events atomic.Int64
	s := New(Options{WorkspaceRoot: "/", Workspace: "/ws", StateDir: b.TempDir(), ApprovalPolicy: "never", Events: func(agent.Event) { events.Add(1) }})
	b.SetBytes(int64(floodBytes(lines)))
	for b.Loop() {
		for _, it := range items {
			s.handleLine(it)
		}
	}
	if events.Load() == 0 {
		b.Fatal("no events")
	}
}

// BenchmarkDecodeItemCompleted decodes a realistic item/completed notification (a command
// with a few hundred bytes of output) as the reader goroutine does, params included.
func BenchmarkDecodeItemCompleted(b *testing.B) {
	line := []byte(`{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_7","command":"/bin/bash -lc 'go test ./pkg7/...'","cwd":"/srv/workspaces/ENG-1","processId":"4242","source":"unifiedExecStartup","status":"completed","commandActions":[{"type":"unknown","command":"/bin/bash -lc 'go test ./pkg7/...'"}],"aggregatedOutput":"` +
		strings.Repeat(`ok  \tgithub.com/example/pkg7\t0.007s\n`, 12) + `","exitCode":0,"durationMs":1207},"threadId":"thr","turnId":"turn"},"emittedAtMs":1795653613431}`)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		f, err := decodeFrame(line)
		if err != nil || f.DecodedErr != nil {
			b.Fatal(err, f.DecodedErr)
		}
	}
}

// BenchmarkDecodeLongCommandOutput decodes the item/completed line of a command that printed
// a quarter of a megabyte, of which the adapter keeps only a preview.
func BenchmarkDecodeLongCommandOutput(b *testing.B) {
	line := []byte(`{"method":"item/completed","params":{"item":{"type":"commandExecution","command":"go test ./...","cwd":"/srv/workspaces/ENG-1","status":"completed","aggregatedOutput":"` +
		strings.Repeat(`ok  \tgithub.com/example/pkg7\t0.007s\n`, 7000) + `","exitCode":0},"threadId":"thr","turnId":"turn"}}`)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		f, err := decodeFrame(line)
		if err != nil || f.DecodedErr != nil {
			b.Fatal(err, f.DecodedErr)
		}
	}
}

// floodLines is 4 MB of the flood, more than fits in a core's private caches, like the stream.
func floodLines(b *testing.B) [][]byte {
	var buf bytes.Buffer
	if err := codexfake.WriteFlood(&buf, 4<<20, "thr", "turn"); err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), []byte{'\n'})
}

func floodBytes(lines [][]byte) int {
	n := 0
	for _, line := range lines {
		n += len(line) + 1
	}
	return n
}
