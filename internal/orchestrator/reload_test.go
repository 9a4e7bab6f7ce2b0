package orchestrator

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
)

func TestUpdateSettingsAppliesToTheNextDecision(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.MaxTotal = 1 }))
	gate := make(chan struct{})
	defer close(gate)
	for n := 1; n <= 3; n++ {
		is := newIssue(n, "In Progress")
		h.put(is)
		h.agents.Script(is.Identifier, agenttest.Script{Turns: []agenttest.Turn{{Block: true}}})
	}
	h.start()
	h.waitFor("one run", func(s *Snapshot) bool { return len(s.Running) == 1 })
	next := h.deps().Settings
	next.MaxTotal = 3
	next.Watchdog = Watchdog{Enabled: true, Tick: 10 * time.Second, Threshold: time.Minute}
	if err := h.o.UpdateSettings(next); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.waitFor("three turns under way", func(s *Snapshot) bool {
		n := 0
		for _, r := range s.Running {
			if r.LastEvent == agent.EventNotification {
				n++
			}
		}
		return n == 3
	})
	h.advance(time.Minute)
	h.waitFor("the newly enabled watchdog to stop the silent sessions", func(s *Snapshot) bool { return len(s.Retrying) == 3 })
	bad := next
	bad.MaxTotal = 0
	if err := h.o.UpdateSettings(bad); err == nil || !strings.Contains(err.Error(), "max_total") {
		t.Fatalf("invalid settings accepted: %v", err)
	}
}

func TestIsRunningAndStatusLine(t *testing.T) {
	h := newHarness(t)
	gate := make(chan struct{})
	defer close(gate)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", scriptWait(gate))
	h.start()
	h.waitFor("the workspace", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.Workspace != "" })
	if !h.o.IsRunning(h.workspacePath("app", "ENG-1") + "/") {
		t.Error("the running workspace is not reported as running")
	}
	if h.o.IsRunning(h.workspacePath("app", "ENG-2")) {
		t.Error("an idle workspace is reported as running")
	}
	if err := h.o.Pause("maintenance"); err != nil {
		t.Fatal(err)
	}
	line := h.o.Snapshot().StatusLine()
	for _, want := range []string{"running 1", "retrying 0", "paused by operator: maintenance"} {
		if !strings.Contains(line, want) {
			t.Errorf("status line %q lacks %q", line, want)
		}
	}
}

// A reload while a poll is in flight must not change settings the poll goroutine still reads:
// the race detector reports it if it does. The slow preflight keeps the poll goroutine from
// its tracker calls until the reload has been applied, with nothing ordering the two.
func TestUpdateSettingsDuringAPollInFlight(t *testing.T) {
	var polls atomic.Int32
	h := newHarness(t, func(c *harnessConfig) {
		c.preflight = func() error {
			if polls.Add(1) == 2 {
				time.Sleep(100 * time.Millisecond)
			}
			return nil
		}
	})
	h.start()
	before := h.o.Snapshot().LastPollAt
	h.advance(h.tickEvery())
	next := h.deps().Settings
	next.TrackerTimeout = 2 * time.Minute
	if err := h.o.UpdateSettings(next); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the poll in flight to finish", func(s *Snapshot) bool { return s.LastPollAt.After(before) })
}
