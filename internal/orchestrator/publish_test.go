package orchestrator

import (
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

func TestAgentProgressIsPublishedAtMostOncePerInterval(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	h := newHarness(t, func(c *harnessConfig) { c.settings.SnapshotInterval = 5 * time.Second })
	h.agents.Script("ENG-1", scriptWait(gate))
	// In Progress already, so no bootstrap state change (which is scheduling) publishes early.
	h.put(newIssue(1, "In Progress"))
	h.start()
	// Dispatch changes scheduling, so its row is published at once, before any agent event.
	s := h.waitFor("the dispatch", func(s *Snapshot) bool { _, ok := s.Find("id-1"); return ok })
	if r, _ := s.Find("id-1"); r.LastEvent != "" {
		t.Fatalf("the dispatch snapshot already holds agent progress %q", r.LastEvent)
	}
	// Let the session's own start-up progress through, one interval at a time, until the
	// turn's notification shows; nothing else reports while the turn waits on the gate.
	deadline := time.Now().Add(waitLimit)
	for r, _ := h.o.Snapshot().Find("id-1"); r.LastEvent != agent.EventNotification; r, _ = h.o.Snapshot().Find("id-1") {
		if time.Now().After(deadline) {
			t.Fatalf("the turn's notification never showed; last event %q", r.LastEvent)
		}
		h.advance(5 * time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	run, _ := h.o.Snapshot().Find("id-1")
	timers := h.clock.Pending()
	h.o.send(workerUpdate{runID: run.RunID, issueID: "id-1", event: &agent.Event{Kind: "probe"}})
	h.eventually("the held-back progress to arm the publish timer", func() bool { return h.clock.Pending() == timers+1 })
	if r, _ := h.o.Snapshot().Find("id-1"); r.LastEvent != agent.EventNotification {
		t.Fatalf("agent progress %q was published within the interval", r.LastEvent)
	}
	changed := h.o.Published()
	h.advance(5 * time.Second)
	select {
	case <-changed:
	case <-time.After(waitLimit):
		t.Fatal("Published was not closed by the throttled publish")
	}
	h.waitFor("the throttled publish", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.LastEvent == "probe" })
}
