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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *symphony == "" {
		fmt.Fprintln(os.Stderr, "symphony-bench: --symphony PATH is required (scripts/bench builds it)")
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
	fmt.Printf("%d bytes per agent over %s; symphony %s\n", *perAgent, *stream, binary)
	results, err := bench.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "symphony-bench:", err)
		return 1
	}
	idleRate := -1.0
	if *idle > 0 {
		if idleRate, err = bench.Idle(ctx, o); err != nil {
			fmt.Fprintln(os.Stderr, "symphony-bench: idle:", err)
			return 1
		}
	}
	bench.Report(os.Stdout, results, idleRate)
	for _, r := range results {
		if r.StopFailure != "" {
			return 1
		}
	}
	return 0
}
