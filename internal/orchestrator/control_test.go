package orchestrator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/store"
)

func TestPauseIsPersistedAndSurvivesRestart(t *testing.T) {
	state := t.TempDir()
	opt := func(c *harnessConfig) { c.stateRoot = state }
	h := newHarness(t, opt)
	h.start()
	if err := h.o.Pause("deploy freeze"); err != nil {
		t.Fatal(err)
	}
	h.put(newIssue(1, "Todo"))
	h.poll()
	if h.agents.Starts() != 0 {
		t.Fatal("dispatched while paused")
	}
	if s := h.o.Snapshot(); !s.Paused || s.PauseReason != "deploy freeze" {
		t.Fatalf("snapshot pause %v %q", s.Paused, s.PauseReason)
	}
	if b := h.o.Snapshot().Blockers; len(b) != 1 || b[0].Kind != BlockerManual || b[0].Message != "paused by operator: deploy freeze" {
		t.Fatalf("blockers %+v, want the manual pause", b)
	}
	h.closeDurable()

	again := newHarness(t, opt)
	again.put(newIssue(1, "Todo"))
	again.start()
	again.poll()
	if s := again.o.Snapshot(); !s.Paused || s.PauseReason != "deploy freeze" || again.agents.Starts() != 0 {
		t.Fatalf("pause lost across restart: paused=%v reason=%q starts=%d", s.Paused, s.PauseReason, again.agents.Starts())
	}
	if err := again.o.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := again.o.Resume(); !errors.Is(err, ErrNotPaused) {
		t.Error("a second Resume succeeded although dispatch was not paused")
	}
	// A lifted pause dispatches what the paused poll left waiting, without another poll; the
	// fake clock stays put, so the run's continuation cannot start a second session.
	again.eventually("dispatch after resume", func() bool { return again.agents.Starts() == 1 })
	again.eventually("the resume to persist", func() bool {
		p, err := again.store.Pause(context.Background())
		return err == nil && !p.Paused
	})
	if err := again.o.Pause("  "); err == nil {
		t.Error("a pause without a reason was accepted")
	}
}

func TestStopIssueEndsTheRunAndLeavesTheTrackerAlone(t *testing.T) {
	hooks, afterRuns := afterRunHook(t)
	h := newHarness(t, func(c *harnessConfig) { c.hooks = hooks })
	h.startWaiting(newIssue(1, "In Progress"))
	if err := h.o.StopIssue("ENG-1"); err != nil {
		t.Fatal(err)
	}
	h.waitStatuses("id-1", store.StatusStopped)
	h.waitFor("the stop", idle("id-1"))
	is, err := h.tr.FetchIssueByIdentifier(context.Background(), "ENG-1")
	if err != nil || is.State != "In Progress" {
		t.Fatalf("tracker state %q (%v), want it untouched", is.State, err)
	}
	if afterRuns() == "" {
		t.Error("after_run did not run")
	}
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatalf("a stopped issue was dispatched again (%d sessions)", n)
	}
	if err := h.o.StopIssue("ENG-404"); !errors.Is(err, ErrIssueNotActive) {
		t.Error("stopping an unknown issue succeeded")
	}
	if s := h.o.Snapshot(); len(s.Held) != 1 || s.Held[0].Reason != "stopped by operator" {
		t.Fatalf("held rows %+v, want ENG-1 stopped by operator", s.Held)
	}
	if err := h.o.Unstop("ENG-1"); err != nil {
		t.Fatal(err)
	}
	// Unstop polls by itself: the issue runs again without waiting for the next tick.
	h.eventually("a second session after unstop", func() bool { return len(h.agents.SessionsFor("ENG-1")) == 2 })
	if s := h.o.Snapshot(); len(s.Held) != 0 {
		t.Fatalf("held rows %+v after unstop", s.Held)
	}
	if err := h.o.Unstop("ENG-1"); !errors.Is(err, ErrIssueNotHeld) {
		t.Errorf("unstopping an issue that is not held: %v", err)
	}
}

func TestControlsAnswerNotRunningOutsideRun(t *testing.T) {
	h := newHarness(t)
	o, err := New(h.deps())
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Pause("x"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Pause before Run: %v", err)
	}
	if s := o.Snapshot(); s == nil || len(s.Running) != 0 {
		t.Fatal("a new orchestrator has no empty snapshot")
	}
	h.start()
	h.shutdown()
	if err := h.o.RefreshNow(); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("RefreshNow after Run: %v", err)
	}
}

func TestRestartRehydratesRetriesAndNeverDispatchesTwice(t *testing.T) {
	state := t.TempDir()
	opt := func(c *harnessConfig) { c.stateRoot = state }
	seed := newHarness(t, opt)
	ctx := context.Background()
	if _, err := seed.store.StartRun(ctx, store.Run{RepoKey: "app", IssueID: "id-2", IssueIdentifier: "ENG-2", StartedAt: epoch.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := seed.store.PutRetry(ctx, store.Retry{RepoKey: "app", IssueID: "id-1", Identifier: "ENG-1", Attempt: 3, DueAt: epoch.Add(5 * time.Second), Error: "worker exited: boom"}); err != nil {
		t.Fatal(err)
	}
	seed.closeDurable()

	h := newHarness(t, opt)
	gate := make(chan struct{})
	defer close(gate)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", scriptWait(gate))
	h.start()
	s := h.o.Snapshot()
	r, ok := s.Retry("id-1")
	if !ok || r.Attempt != 3 || !r.DueAt.Equal(epoch.Add(5*time.Second)) || r.Error != "worker exited: boom" {
		t.Fatalf("retry not rehydrated: %s", describe(s))
	}
	if h.agents.Starts() != 0 {
		t.Fatal("the first poll dispatched an issue that has a pending retry")
	}
	if got := h.runStatuses("id-2"); len(got) != 1 || got[0] != store.StatusInterrupted {
		t.Fatalf("the dead process's run is %v, want interrupted", got)
	}
	h.advance(5 * time.Second)
	h.waitFor("the rehydrated retry to dispatch", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.Attempt == 3 })
	h.waitFor("its session", started("id-1"))
	h.poll()
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatalf("%d sessions for ENG-1 after restart, want exactly 1", n)
	}
}

// The pause is published at once although progress snapshots are throttled to one an hour:
// only agent progress waits for the interval.
func TestPublishedClosesOnTheNextSnapshot(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.settings.SnapshotInterval = time.Hour })
	h.start()
	changed := h.o.Published()
	before := h.o.Snapshot()
	select {
	case <-changed:
		t.Fatal("Published was closed before anything changed")
	default:
	}
	if err := h.o.Pause("deploy"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("Published not closed after a pause")
	}
	if after := h.o.Snapshot(); after == before || !after.Paused {
		t.Fatal("the snapshot seen after Published closed is not the new one")
	}
}

func TestOperatorStopSurvivesRestartUntilUnstop(t *testing.T) {
	state := t.TempDir()
	opt := func(c *harnessConfig) { c.stateRoot = state }
	h := newHarness(t, opt)
	h.startWaiting(newIssue(1, "In Progress"))
	if err := h.o.StopIssue("ENG-1"); err != nil {
		t.Fatal(err)
	}
	h.waitStatuses("id-1", store.StatusStopped)
	h.eventually("the hold to persist", func() bool {
		holds, err := h.store.Holds(context.Background())
		return err == nil && len(holds) == 1 && holds[0].Reason == "stopped by operator"
	})
	h.closeDurable()

	again := newHarness(t, opt)
	again.put(newIssue(1, "In Progress"))
	again.start()
	again.poll()
	if n := again.agents.Starts(); n != 0 {
		t.Fatalf("a stopped issue was dispatched after a restart (%d starts)", n)
	}
	if s := again.o.Snapshot(); len(s.Held) != 1 || s.Held[0].Identifier != "ENG-1" || s.Held[0].Reason != "stopped by operator" {
		t.Fatalf("held rows after restart %+v, want ENG-1 stopped by operator", s.Held)
	}
	if err := again.o.Unstop("ENG-1"); err != nil {
		t.Fatal(err)
	}
	again.eventually("dispatch after unstop", func() bool { return again.agents.Starts() == 1 })
	again.eventually("the released hold to be forgotten", func() bool {
		holds, err := again.store.Holds(context.Background())
		return err == nil && len(holds) == 0
	})
}
