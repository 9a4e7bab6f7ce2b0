package cli

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestPRWatchHoldIsOffUnlessNamedAndHoldsOnlyAtTheNamedStep checks the crash tests' hook:
// without the variable the pollers get none; with it, only the named step waits, and only
// until the service ends.
func TestPRWatchHoldIsOffUnlessNamedAndHoldsOnlyAtTheNamedStep(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	if prwatchHold(func(string) string { return "" }, logger) != nil {
		t.Fatal("a hook was made without " + prwatchHoldEnv)
	}
	hold := prwatchHold(func(k string) string {
		if k == prwatchHoldEnv {
			return "rework_transition_pending"
		}
		return ""
	}, logger)
	ctx, cancel := context.WithCancel(context.Background())
	hold(ctx, "ci_fix_transition_pending")
	held := make(chan struct{})
	go func() {
		hold(ctx, "rework_transition_pending")
		close(held)
	}()
	select {
	case <-held:
		t.Fatal("the named step did not hold")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("the hold outlived the service's context")
	}
}
