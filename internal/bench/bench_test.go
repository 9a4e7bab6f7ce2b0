package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// TestBenchMeasuresTheRealService runs the benchmark as scripts/bench does, small: both
// binaries built from this tree, two counts, a short stream and idle window.
func TestBenchMeasuresTheRealService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the symphony binary")
	}
	root := testenv.ModuleRoot(t)
	dir := t.TempDir()
	bins := map[string]string{"symphony": "./cmd/symphony", "symphony-bench": "./cmd/symphony-bench"}
	for name, pkg := range bins {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
		build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	var log bytes.Buffer
	o := Options{Symphony: filepath.Join(dir, "symphony"), Agent: filepath.Join(dir, "symphony-bench"), Counts: []int{1, 3},
		BytesPerAgent: 256 << 10, Stream: 300 * time.Millisecond, PollInterval: 200 * time.Millisecond,
		Idle: time.Second, Timeout: 2 * time.Minute, WorkDir: dir, Log: &log}
	results, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	for _, r := range results {
		if r.AllStarted <= 0 || r.AllDone < r.AllStarted || r.CPU <= 0 || r.ChildrenCPU <= 0 || r.PeakRSS < 1<<20 || r.AuditBytes <= 0 {
			t.Errorf("implausible figures for %d agents: %+v", r.Agents, r)
		}
		// The real service's log must name its first dispatch, before any agent was up.
		if r.FirstDispatch <= 0 || r.StartedAfterDispatch() <= 0 {
			t.Errorf("%d agents: first dispatch at %s of all started %s; want it read from the log and earlier", r.Agents, r.FirstDispatch, r.AllStarted)
		}
		if r.CPUAllStarted <= 0 || r.CPUAllStarted > r.CPU || r.IngestedAllStarted < 0 || r.IngestedAllStarted > r.Ingested {
			t.Errorf("%d agents: CPU %s and %d bytes when all were up, of %s and %d in all", r.Agents, r.CPUAllStarted,
				r.IngestedAllStarted, r.CPU, r.Ingested)
		}
		if r.Ingested != int64(r.Agents)*o.BytesPerAgent {
			t.Errorf("%d agents ingested %d bytes, want %d", r.Agents, r.Ingested, int64(r.Agents)*o.BytesPerAgent)
		}
	}
	idle, err := Idle(context.Background(), o)
	if err != nil || idle < 0 {
		t.Fatalf("idle wake-ups %v, %v", idle, err)
	}
	var out bytes.Buffer
	Report(&out, results, idle)
	for _, want := range []string{"agents", "after 1st dispatch", "children CPU/agent", "RSS per extra running session (1 → 3)", "ratio 3/1", "idle wake-ups"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// Compared with a baseline (here the same binary), the command prints every round of
	// both and the medians side by side.
	compare := exec.Command(filepath.Join(dir, "symphony-bench"), "--symphony", o.Symphony, "--baseline", o.Symphony, "--rounds", "2",
		"--agents", "1,2", "--bytes", "65536", "--stream", "200ms", "--idle", "0", "--dir", dir)
	compared, err := compare.CombinedOutput()
	if err != nil {
		t.Fatalf("symphony-bench --baseline: %v\n%s", err, compared)
	}
	for _, want := range []string{"round 1, baseline:", "round 2, this build:", "medians of 2 rounds", "1 → 2", "RSS per extra running session"} {
		if !strings.Contains(string(compared), want) {
			t.Errorf("comparison output lacks %q:\n%s", want, compared)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "bench-*")); len(entries) != 0 {
		t.Errorf("installations left behind: %v", entries)
	}
}

// A run whose service did not shut down keeps its figures in the report, with the failure
// named next to its count.
func TestReportNamesARunThatDidNotStopCleanly(t *testing.T) {
	results := []Result{
		{Agents: 50, AllStarted: time.Second, CPU: time.Second, PeakRSS: 64 << 20, Ingested: 50 << 20},
		{Agents: 200, AllStarted: 2 * time.Second, CPU: 4 * time.Second, PeakRSS: 128 << 20, Ingested: 200 << 20,
			StopFailure: "the service ended badly: the service did not stop within 30s of SIGTERM"},
	}
	var out bytes.Buffer
	Report(&out, results, -1)
	for _, want := range []string{"128.00 MiB", "200 agents: measured, but the service ended badly: the service did not stop within 30s of SIGTERM"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "50 agents: measured, but") {
		t.Errorf("report names the clean run as failed:\n%s", out.String())
	}
}

func TestFirstDispatchIsTheEarliestDispatchLine(t *testing.T) {
	log := strings.Join([]string{
		"warning: a budget is set",
		`time=2026-12-07T08:35:50.259Z level=INFO msg="symphony starting" config=/x/symphony.yml`,
		`time=2026-12-07T08:35:50.399Z level=INFO msg=dispatching issue_id=B-1 issue_identifier=B-1 repo_key=bench attempt=0 host=""`,
		`time=2026-12-07T08:35:50.401Z level=INFO msg=dispatching issue_id=B-2 issue_identifier=B-2 repo_key=bench attempt=0 host=""`,
	}, "\n")
	at, ok := firstDispatch(log)
	want := time.Date(2026, 12, 7, 8, 35, 50, 399_000_000, time.UTC)
	if !ok || !at.Equal(want) {
		t.Fatalf("firstDispatch = %s, %v; want %s", at, ok, want)
	}
	if _, ok := firstDispatch("time=2026-12-07T08:35:50.259Z level=INFO msg=\"symphony starting\"\n"); ok {
		t.Fatal("a log without a dispatch yielded one")
	}
	r := Result{AllStarted: 2 * time.Second}
	if r.StartedAfterDispatch() != 0 {
		t.Fatalf("without a dispatch time the time after it is %s, want unknown (0)", r.StartedAfterDispatch())
	}
	r.FirstDispatch = 500 * time.Millisecond
	if r.StartedAfterDispatch() != 1500*time.Millisecond {
		t.Fatalf("started after dispatch = %s, want 1.5s", r.StartedAfterDispatch())
	}
}

// What agents had streamed by a moment is each one's share of its even stream since its
// start, and the CPU after every agent was up is charged to what was streamed after it.
func TestStreamedByAndTheSplitOfCPU(t *testing.T) {
	t0 := time.Unix(1000, 0)
	starts := []time.Time{t0, t0.Add(time.Second), t0.Add(4 * time.Second)}
	// At t0+2s: the first has streamed 2/4, the second 1/4, the third nothing yet.
	if got := streamedBy(t0.Add(2*time.Second), starts, 4<<20, 4*time.Second); got != 3<<20 {
		t.Errorf("streamed by t0+2s: %d bytes, want %d", got, 3<<20)
	}
	if got := streamedBy(t0.Add(time.Hour), starts, 4<<20, 4*time.Second); got != 12<<20 {
		t.Errorf("streamed once every stream ended: %d bytes, want %d", got, 12<<20)
	}
	r := Result{Agents: 4, CPU: 5 * time.Second, CPUAllStarted: 2 * time.Second, Ingested: 4 << 20, IngestedAllStarted: 1 << 20}
	if got := r.CPUPerMiBAfterStart(); got != time.Second {
		t.Errorf("CPU per MiB after start = %s, want 1s (3s over 3 MiB)", got)
	}
	if got := r.CPUPerAgentUntilUp(); got != 500*time.Millisecond {
		t.Errorf("CPU per agent until all were up = %s, want 500ms (2s for 4 agents)", got)
	}
	if got := (Result{Agents: 1, CPU: time.Second, CPUAllStarted: time.Second, Ingested: 1 << 20, IngestedAllStarted: 1 << 20}).CPUPerMiBAfterStart(); got != 0 {
		t.Errorf("CPU per MiB after start with nothing streamed after = %s, want unknown (0)", got)
	}
}

// Everything a run writes stays in its installation, temporary files included, so --dir
// chooses the file system for all of it.
func TestInstallationHoldsTheServicesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	in, err := install(dir, "/bin/true", 2, Options{BytesPerAgent: 1, Stream: time.Second, PollInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	env := exec.Command("/bin/true")
	env.Env = in.env
	var tmp string
	for _, kv := range env.Environ() {
		if v, ok := strings.CutPrefix(kv, "TMPDIR="); ok {
			tmp = v
		}
	}
	if rel, err := filepath.Rel(dir, tmp); err != nil || rel != "tmp" {
		t.Fatalf("service TMPDIR %q, want %q", tmp, filepath.Join(dir, "tmp"))
	}
	if info, err := os.Stat(tmp); err != nil || !info.IsDir() {
		t.Fatalf("service TMPDIR %q is not a directory: %v", tmp, err)
	}
}
