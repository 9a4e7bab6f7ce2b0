// Command symphony-bench measures the symphony binary running many agents at once (see
// internal/bench). It is also its own agent: started as "app-server" it serves the fake
// Codex app-server that streams the benchmark's turns.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/bench"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println("symphony-bench fake app-server")
		return
	}
	codexfake.MaybeRunFake()
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("symphony-bench", flag.ContinueOnError)
	symphony := fs.String("symphony", "", "the symphony binary to measure (required)")
	counts := fs.String("agents", "50,200", "comma-separated agent counts, one run each")
	perAgent := fs.Int64("bytes", 1<<20, "bytes each agent streams in its turn")
	stream := fs.Duration("stream", 10*time.Second, "how long each agent takes to stream them")
	idle := fs.Duration("idle", 10*time.Second, "how long to watch an idle service for wake-ups (0 skips it)")
	timeout := fs.Duration("timeout", 5*time.Minute, "bound on each run")
	workDir := fs.String("dir", "", "where each run's installation, state and temporary files go (default: the system temporary directory)")
	baseline := fs.String("baseline", "", "a second symphony binary to measure in turn with --symphony, and compare it with")
	rounds := fs.Int("rounds", 1, "with --baseline: how many rounds of both binaries to run; the comparison takes medians")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *symphony == "" {
		fmt.Fprintln(os.Stderr, "symphony-bench: --symphony PATH is required (scripts/bench builds it)")
		return 2
	}
	if *rounds < 1 || (*rounds > 1 && *baseline == "") {
		fmt.Fprintln(os.Stderr, "symphony-bench: --rounds takes a positive count, and more than one only with --baseline")
		return 2
	}
	// The service runs in its installation's directory, so a relative path would not find it.
	binary, err := filepath.Abs(*symphony)
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench:", err)
		return 2
	}
	var ns []int
	for _, f := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "symphony-bench: --agents: %q is not a positive count\n", f)
			return 2
		}
		ns = append(ns, n)
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := bench.Options{Symphony: binary, Agent: self, Counts: ns, BytesPerAgent: *perAgent, Stream: *stream,
		PollInterval: time.Second, Idle: *idle, Timeout: *timeout, WorkDir: *workDir, Log: os.Stderr}
	if *baseline != "" {
		base, err := filepath.Abs(*baseline)
		if err != nil {
			fmt.Fprintln(os.Stderr, "symphony-bench:", err)
			return 2
		}
		return compare(ctx, o, base, *rounds)
	}
	fmt.Printf("%d bytes per agent over %s; symphony %s\n", *perAgent, *stream, binary)
	results, err := bench.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench:", err)
		return 1
	}
	idleRate, err := idleOf(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench: idle:", err)
		return 1
	}
	bench.Report(os.Stdout, results, idleRate)
	return exitCode(results)
}

// compare measures the baseline and o.Symphony in turn, prints every round of both, then the
// medians side by side.
func compare(ctx context.Context, o bench.Options, baseline string, rounds int) int {
	fmt.Printf("%d bytes per agent over %s; baseline %s, this build %s, %d rounds\n", o.BytesPerAgent, o.Stream, baseline, o.Symphony, rounds)
	base, head, err := bench.Compare(ctx, o, baseline, rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench:", err)
		return 1
	}
	code := 0
	for i := range base {
		fmt.Printf("\nround %d, baseline:\n", i+1)
		bench.Report(os.Stdout, base[i], -1)
		fmt.Printf("round %d, this build:\n", i+1)
		bench.Report(os.Stdout, head[i], -1)
		code = max(code, exitCode(base[i]), exitCode(head[i]))
	}
	fmt.Println()
	bench.ReportComparison(os.Stdout, base, head)
	for _, binary := range []string{baseline, o.Symphony} {
		run := o
		run.Symphony = binary
		rate, err := idleOf(ctx, run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "symphony-bench: idle:", err)
			return 1
		}
		if rate >= 0 {
			fmt.Printf("idle wake-ups of %s: %.1f/s\n", binary, rate)
		}
	}
	return code
}

// idleOf is the idle service's wake-ups per second, or -1 when o.Idle skips the measure.
func idleOf(ctx context.Context, o bench.Options) (float64, error) {
	if o.Idle <= 0 {
		return -1, nil
	}
	return bench.Idle(ctx, o)
}

// exitCode is 1 when a run's service did not shut down cleanly: its figures were printed,
// but the run is not clean.
func exitCode(results []bench.Result) int {
	for _, r := range results {
		if r.StopFailure != "" {
			return 1
		}
	}
	return 0
}
