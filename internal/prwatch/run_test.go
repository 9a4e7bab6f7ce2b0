package prwatch

import (
	"context"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// TestRunCyclesOnTheClockAndStopsWithTheContext drives Run with the fake clock: the first
// cycle runs at once, the next only when the interval has passed, and cancelling stops both
// pollers.
func TestRunCyclesOnTheClockAndStopsWithTheContext(t *testing.T) {
	h := newHarness(t)
	p := h.pollers(h.settings(), h.tr, h.st)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancellation")
		}
	}()
	waitUntil(t, "both pollers' first cycle", func() bool { return h.row(pollerReview).Phase != "" && h.row(pollerCI).Phase != "" })
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "please fix"})
	waitUntil(t, "both pollers to wait for their next cycle", func() bool { return h.clock.Pending() >= 2 })
	h.clock.Advance(30 * time.Second)
	time.Sleep(100 * time.Millisecond)
	if h.state() != "In Review" {
		t.Fatal("a cycle ran before the interval passed")
	}
	h.clock.Advance(11 * time.Minute)
	waitUntil(t, "the rework after the cooldown", func() bool { return h.state() == "In Progress" })
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
