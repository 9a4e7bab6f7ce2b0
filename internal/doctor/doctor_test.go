package doctor

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunKeepsOrderAndReportsStragglers(t *testing.T) {
	stopped := make(chan struct{})
	checks := []Check{
		{"slow", func(ctx context.Context) Result {
			<-ctx.Done()
			close(stopped)
			return ok("never seen")
		}},
		{"fast", func(context.Context) Result { return warn("do this", "found that") }},
	}
	start := time.Now()
	got := Run(context.Background(), checks, 100*time.Millisecond)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Run took %s with a 100ms timeout", elapsed)
	}
	if len(got) != 2 || got[0].Check != "slow" || got[1].Check != "fast" {
		t.Fatalf("results out of order: %+v", got)
	}
	if got[0].Status != StatusFail || !got[0].Transient || !strings.Contains(got[0].Detail, "no answer within 100ms") {
		t.Errorf("straggler = %+v, want a transient failure naming the timeout", got[0])
	}
	if got[1].Status != StatusWarn || got[1].Fix != "do this" {
		t.Errorf("fast check = %+v", got[1])
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the straggler's context was not cancelled")
	}
}

func TestRunIsConcurrent(t *testing.T) {
	const n = 5
	var checks []Check
	for range n {
		checks = append(checks, Check{"sleeper", func(context.Context) Result {
			time.Sleep(200 * time.Millisecond)
			return ok("slept")
		}})
	}
	start := time.Now()
	got := Run(context.Background(), checks, 5*time.Second)
	if elapsed := time.Since(start); elapsed > 800*time.Millisecond {
		t.Fatalf("%d checks of 200ms took %s: they did not run concurrently", n, elapsed)
	}
	if Failed(got) {
		t.Fatalf("unexpected failure: %+v", got)
	}
}

func TestLineAndBlocking(t *testing.T) {
	tests := []struct {
		r        Result
		line     string
		blocking bool
	}{
		{Result{Check: "git", Status: StatusOK, Detail: "git version 2"}, "ok    git                git version 2", false},
		{Result{Check: "agent", Status: StatusFail, Detail: "missing", Fix: "install it"}, "fail  agent              missing  fix: install it", true},
		{Result{Check: "tracker", Status: StatusFail, Detail: "down", Fix: "wait", Transient: true}, "fail  tracker            down  fix: wait", false},
		{Result{Check: "disk", Status: StatusWarn, Detail: "low", Fix: "free some"}, "warn  disk               low  fix: free some", false},
	}
	for _, tt := range tests {
		if got := tt.r.Line(); got != tt.line {
			t.Errorf("Line() = %q, want %q", got, tt.line)
		}
		if got := tt.r.Blocking(); got != tt.blocking {
			t.Errorf("%s Blocking() = %v, want %v", tt.r.Check, got, tt.blocking)
		}
	}
}
