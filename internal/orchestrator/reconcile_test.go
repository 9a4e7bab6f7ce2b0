package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// afterRunHook appends the issue identifier to a log file outside the workspaces. Hooks run in
// login shells, so HOME points at an empty directory: the test must not depend on (or wait
// for) whatever the machine's shell profile does.
func afterRunHook(t testing.TB) (workspace.Hooks, func() string) {
	t.Setenv("HOME", t.TempDir())
	logFile := filepath.Join(t.TempDir(), "after_run.log")
	hooks := workspace.Hooks{AfterRun: `printf '%s\n' "$SYMPHONY_ISSUE_IDENTIFIER" >> '` + logFile + `'`}
	return hooks, func() string { b, _ := os.ReadFile(logFile); return string(b) }
}

func TestReconciliationFollowsTrackerStates(t *testing.T) {
	cases := []struct {
		name           string
		newState       string
		wantStatus     store.Status
		keepsWorkspace bool
		watching       bool
	}{
		{"active refresh keeps running", "Todo", "", true, false},
		{"non-active state stops without cleanup", "Human Review", store.StatusStopped, true, true},
		{"terminal state stops and cleans the workspace", "Done", store.StatusStopped, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hooks, afterRuns := afterRunHook(t)
			h := newHarness(t, func(hc *harnessConfig) { hc.hooks = hooks })
			gate := make(chan struct{})
			defer close(gate)
			is := newIssue(1, "Todo")
			h.put(is)
			h.agents.Script("ENG-1", scriptWait(gate))
			h.start()
			h.waitFor("the bootstrap to move the issue to In Progress", func(s *Snapshot) bool {
				r, ok := s.Find("id-1")
				return ok && r.State == "In Progress" && r.PID != 0
			})
			ws := h.workspacePath("app", "ENG-1")
			moved := is
			moved.State, moved.Title = c.newState, "Renamed"
			h.put(moved)
			h.poll()
			if c.wantStatus == "" {
				s := h.waitFor("the refreshed state", func(s *Snapshot) bool { r, _ := s.Find("id-1"); return r.State == c.newState })
				if r, _ := s.Find("id-1"); r.StopRequested != "" {
					t.Fatalf("an active refresh stopped the run: %s", r.StopRequested)
				}
				return
			}
			h.waitStatuses("id-1", c.wantStatus)
			h.waitFor("the issue to leave running", idle("id-1"))
			sessions := h.agents.SessionsFor("ENG-1")
			if len(sessions) != 1 || !sessions[0].Stopped() {
				t.Fatalf("want the one session stopped, got %d sessions", len(sessions))
			}
			if !strings.Contains(afterRuns(), "ENG-1") {
				t.Error("after_run did not run for the stopped attempt")
			}
			h.eventually("the workspace decision", func() bool { return exists(ws) == c.keepsWorkspace })
			s := h.o.Snapshot()
			if got := len(s.Watching) == 1 && s.Watching[0].State == c.newState; got != c.watching {
				t.Fatalf("watching rows %+v, want watching=%v", s.Watching, c.watching)
			}
			h.poll()
			if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
				t.Fatalf("the stopped issue was dispatched again (%d sessions)", n)
			}
		})
	}
}

func TestReconciliationWithNothingRunningMakesNoRefreshCall(t *testing.T) {
	rec := &callRecorder{}
	h := newHarness(t, func(c *harnessConfig) {
		c.wrap = func(tr tracker.Tracker) tracker.Tracker { rec.Tracker = tr; return rec }
	})
	h.start()
	h.poll()
	h.poll()
	if n := rec.byIDCalls(); n != 0 {
		t.Fatalf("%d by-id refresh calls with nothing running", n)
	}
	if got := len(rec.routeCalls()); got != 3 {
		t.Fatalf("%d candidate polls after three ticks", got)
	}
	if s := h.o.Snapshot(); len(s.Running)+len(s.Retrying)+len(s.Watching) != 0 {
		t.Fatalf("state appeared from nothing: %s", describe(s))
	}
}

func TestTrackerTroubleMidRunKeepsWorkersAndClaims(t *testing.T) {
	cases := []struct {
		name    string
		refresh func(ctx context.Context, ids []string) ([]issue.Issue, error)
	}{
		{"refresh fails", func(context.Context, []string) ([]issue.Issue, error) {
			return nil, tracker.Errorf(tracker.CodeStatus, "linear answered 502")
		}},
		{"refresh times out", func(ctx context.Context, _ []string) ([]issue.Issue, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}},
		{"refresh omits the issue", func(context.Context, []string) ([]issue.Issue, error) { return nil, nil }},
		{"refresh returns malformed rows", func(context.Context, []string) ([]issue.Issue, error) {
			return []issue.Issue{{ID: "id-1"}, {ID: "", State: "Done"}, {ID: "id-404", State: "Done"}}, nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &callRecorder{}
			h := newHarness(t, func(hc *harnessConfig) {
				hc.wrap = func(tr tracker.Tracker) tracker.Tracker { rec.Tracker = tr; return rec }
				hc.settings.TrackerTimeout = 50 * time.Millisecond
			})
			h.startWaiting(newIssue(1, "In Progress"))
			rec.setRefresh(c.refresh)
			h.poll()
			h.poll()
			s := h.o.Snapshot()
			r, ok := s.Find("id-1")
			if !ok || r.StopRequested != "" || len(s.Retrying) != 0 {
				t.Fatalf("tracker trouble changed the run: %s", describe(s))
			}
			if h.agents.SessionsFor("ENG-1")[0].Stopped() {
				t.Fatal("the session was stopped")
			}
			if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
				t.Fatalf("%d sessions; the claim was lost", n)
			}
		})
	}
}

func TestCandidatePollFailureKeepsRunningWorkAndReportsTheError(t *testing.T) {
	h := newHarness(t)
	h.startWaiting(newIssue(1, "In Progress"))
	h.tr.FailNext(nil, tracker.Errorf(tracker.CodeRequest, "connection reset"))
	h.poll()
	s := h.waitFor("the poll error", func(s *Snapshot) bool { return strings.Contains(s.LastPollError, "connection reset") })
	if _, ok := s.Find("id-1"); !ok {
		t.Fatal("a failed poll dropped the running issue")
	}
	h.poll()
	if s := h.o.Snapshot(); s.LastPollError != "" {
		t.Fatalf("poll error %q stuck after a good poll", s.LastPollError)
	}
}

func TestStalledFirstTurnIsKilledAndRetried(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.StallTimeout = 45 * time.Second }))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{SilentStart: true, Turns: []agenttest.Turn{{Block: true, Silent: true}}})
	h.start()
	h.waitFor("the run", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.PID != 0 })
	h.poll() // 30 s: not stalled yet
	if r, _ := h.o.Snapshot().Find("id-1"); r.StopRequested != "" {
		t.Fatalf("stopped after 30s with a 45s stall timeout: %s", r.StopRequested)
	}
	h.poll() // 60 s: stalled
	s := h.waitFor("the stall retry", retrying("id-1", 1))
	r, _ := s.Retry("id-1")
	if !strings.Contains(r.Error, "stalled") || !r.DueAt.Equal(h.clock.Now().Add(10*time.Second)) {
		t.Fatalf("retry row %+v; want a stalled error due in 10s", r)
	}
	if !h.agents.SessionsFor("ENG-1")[0].Stopped() {
		t.Fatal("the stalled session was not stopped")
	}
	h.waitStatuses("id-1", store.StatusFailure)
}

func TestWatchdogStopsWedgedSessionRunsAfterRunAndRetries(t *testing.T) {
	hooks, afterRuns := afterRunHook(t)
	h := newHarness(t, func(c *harnessConfig) {
		c.hooks = hooks
		c.settings.Watchdog = Watchdog{Enabled: true, Tick: 10 * time.Second, Threshold: 60 * time.Second}
		c.settings.PollInterval = time.Hour
	})
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Block: true}}})
	h.start()
	// The turn's notification is the session's last event before it wedges; waiting for an
	// earlier one let it land after the clock moved, restarting the threshold (seen once).
	h.waitFor("the turn's notification", func(s *Snapshot) bool {
		r, ok := s.Find("id-1")
		return ok && r.LastEvent == agent.EventNotification
	})
	h.advance(50 * time.Second)
	if r, _ := h.o.Snapshot().Find("id-1"); r.StopRequested != "" {
		t.Fatalf("watchdog fired before the threshold: %s", r.StopRequested)
	}
	h.advance(10 * time.Second)
	h.waitFor("the stuck retry", retrying("id-1", 1))
	h.waitStatuses("id-1", store.StatusTimeout)
	if !strings.Contains(afterRuns(), "ENG-1") {
		t.Error("after_run did not run for the stuck session")
	}
	h.eventually("run_stuck in the audit log", func() bool { return contains(h.auditTypes("ENG-1"), "run_stuck") })
}

func TestPreflightFailureSkipsDispatchButStillReconciles(t *testing.T) {
	var fail error
	h := newHarness(t, func(c *harnessConfig) { c.preflight = func() error { return fail } })
	h.startWaiting(newIssue(1, "In Progress"))
	fail = errors.New("symphony.yml: agent.concurrency.max_total must be positive")
	h.put(newIssue(2, "Todo"))
	done := newIssue(1, "Done")
	h.put(done)
	h.poll()
	s := h.waitFor("the preflight block", func(s *Snapshot) bool { return len(s.DispatchBlocked) == 1 })
	if !strings.Contains(s.DispatchBlocked[0], "max_total") {
		t.Fatalf("blocked reasons %v", s.DispatchBlocked)
	}
	h.waitStatuses("id-1", store.StatusStopped)
	if n := len(h.agents.SessionsFor("ENG-2")); n != 0 {
		t.Fatal("dispatched while the preflight failed")
	}
	fail = nil
	h.poll()
	h.eventually("dispatch after the preflight passes", func() bool { return len(h.agents.SessionsFor("ENG-2")) == 1 })
}

func TestDiskGuardPausesDispatch(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.minFree, c.freeBytes = 1<<30, 1<<20 })
	h.put(newIssue(1, "Todo"))
	h.start()
	s := h.o.Snapshot()
	if len(s.DispatchBlocked) != 1 || !strings.Contains(s.DispatchBlocked[0], "disk guard") {
		t.Fatalf("blocked reasons %v, want the disk guard", s.DispatchBlocked)
	}
	h.poll()
	if n := h.agents.Starts(); n != 0 {
		t.Fatalf("%d sessions started while the disk guard held dispatch", n)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestWorkerRefreshTroubleDoesNotEndAHealthyAttempt(t *testing.T) {
	cases := []struct {
		name    string
		refresh func(ctx context.Context, ids []string) ([]issue.Issue, error)
	}{
		{"refresh fails", func(context.Context, []string) ([]issue.Issue, error) { return nil, errTest("tracker 500") }},
		{"refresh times out", func(ctx context.Context, _ []string) ([]issue.Issue, error) { <-ctx.Done(); return nil, ctx.Err() }},
		{"refresh returns a row for another issue", func(context.Context, []string) ([]issue.Issue, error) {
			return []issue.Issue{{ID: "id-9", State: "Done"}}, nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &callRecorder{}
			h := newHarness(t, func(hc *harnessConfig) {
				hc.wrap = func(tr tracker.Tracker) tracker.Tracker { rec.Tracker = tr; rec.refresh = c.refresh; return rec }
				hc.settings.TrackerTimeout = 50 * time.Millisecond
				hc.settings.PollInterval = time.Hour
			})
			h.put(newIssue(1, "In Progress"))
			h.start()
			h.waitStatuses("id-1", store.StatusSuccess)
			if got := len(h.agents.SessionsFor("ENG-1")[0].Prompts()); got != 2 {
				t.Fatalf("the attempt ran %d turns, want max_turns 2", got)
			}
			s := h.waitFor("the continuation retry", retrying("id-1", 1))
			if len(s.Held) != 0 {
				t.Fatalf("the issue was held: %s", describe(s))
			}
		})
	}
}

// Shutting down while a terminal issue's workspace is being removed waits for the removal:
// the process must not exit with a before_remove hook killed midway and the workspace half gone.
func TestShutdownWaitsForWorkspaceRemoval(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	h := newHarness(t, func(hc *harnessConfig) { hc.hooks = workspace.Hooks{BeforeRemove: "sleep 1"} })
	is := newIssue(1, "Todo")
	h.startWaiting(is)
	ws := h.workspacePath("app", "ENG-1")
	done := is
	done.State = "Done"
	h.put(done)
	h.poll()
	h.waitFor("the issue to leave running", idle("id-1"))
	h.shutdown()
	if exists(ws) {
		t.Fatal("Run returned while the terminal issue's workspace was still being removed")
	}
}
