package orchestrator

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

func TestNormalExitSchedulesContinuationRetryAfterOneSecond(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "In Progress"))
	h.start()
	s := h.waitFor("the continuation retry", retrying("id-1", 1))
	r, _ := s.Retry("id-1")
	if want := h.clock.Now().Add(time.Second); !r.DueAt.Equal(want) || r.Error != "" || r.Identifier != "ENG-1" {
		t.Fatalf("retry row %+v; want attempt 1 due %s with no error", r, want)
	}
	if got := len(h.agents.SessionsFor("ENG-1")[0].Prompts()); got != 2 {
		t.Fatalf("the attempt ran %d turns, want max_turns 2", got)
	}
	h.waitStatuses("id-1", store.StatusSuccess)
	h.advance(time.Second)
	h.eventually("the second session", func() bool { return len(h.agents.SessionsFor("ENG-1")) == 2 })
	h.eventually("the continuation run record", func() bool {
		runs := h.runs("id-1")
		return len(runs) == 2 && runs[0].Attempt == 1
	})
	h.eventually("the second session's first prompt", func() bool { return len(h.agents.SessionsFor("ENG-1")[1].Prompts()) > 0 })
	if p := h.agents.SessionsFor("ENG-1")[1].Prompts()[0]; !strings.Contains(p, "ENG-1") {
		t.Fatalf("the continuation attempt's first prompt does not name the issue:\n%s", p)
	}
}

func TestFailuresBackOffExponentiallyUpToTheCap(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.RetryBackoffMax = 15 * time.Second }))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeTurnFailed, "model refused")}}})
	h.start()
	steps := []struct {
		attempt int
		delay   time.Duration
	}{{1, 10 * time.Second}, {2, 15 * time.Second}, {3, 15 * time.Second}}
	for _, st := range steps {
		s := h.waitFor("the failure retry", retrying("id-1", st.attempt))
		r, _ := s.Retry("id-1")
		if want := h.clock.Now().Add(st.delay); !r.DueAt.Equal(want) {
			t.Fatalf("attempt %d due %s, want %s", st.attempt, r.DueAt, want)
		}
		if !strings.Contains(r.Error, "worker exited") || !strings.Contains(r.Error, "model refused") {
			t.Fatalf("retry error %q does not explain the failure", r.Error)
		}
		h.eventually("the durable retry row", func() bool {
			rows, err := h.store.Retries(context.Background())
			return err == nil && len(rows) == 1 && rows[0].Attempt == st.attempt && rows[0].DueAt.Equal(r.DueAt) && rows[0].Identifier == "ENG-1"
		})
		h.advance(st.delay)
	}
	h.waitStatuses("id-1", store.StatusFailure, store.StatusFailure, store.StatusFailure, store.StatusFailure)
}

// A retry that falls due while every slot is taken waits for one: no new attempt number, no
// backoff, and it runs the moment the slot frees (SPEC §8.4 requeues it with a backoff
// instead, which starved such issues behind continuations).
func TestADueRetryWaitsForASlotWithoutBackoff(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.MaxTotal = 1; s.PollInterval = time.Hour }))
	gate, hold := make(chan struct{}), make(chan struct{})
	defer close(hold)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodePortExit, "codex exited")}, {Wait: hold}}})
	h.start()
	h.waitFor("the first failure", retrying("id-1", 1))
	h.put(newIssue(2, "In Progress"))
	h.agents.Script("ENG-2", scriptWait(gate))
	if err := h.o.RefreshNow(); err != nil {
		t.Fatal(err)
	}
	h.waitFor("ENG-2 to take the only slot", started("id-2"))
	h.advance(10 * time.Second)
	s := h.waitFor("ENG-1 to wait for the slot", func(s *Snapshot) bool {
		_, retry := s.Retry("id-1")
		return !retry && len(s.Queued) == 1 && s.Queued[0].IssueID == "id-1"
	})
	if q := s.Queued[0]; q.Attempt != 1 || q.Continuation {
		t.Fatalf("queued row %+v, want the failed issue's retry with its attempt 1 unchanged", q)
	}
	h.eventually("ENG-1's durable retry row, kept at attempt 1 so a restart brings it back", func() bool {
		rows, err := h.store.Retries(context.Background())
		return err == nil && len(rows) == 1 && rows[0].IssueID == "id-1" && rows[0].Attempt == 1
	})
	waitedAt := h.clock.Now()
	close(gate)
	s = h.waitFor("ENG-1 to take the freed slot", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.Attempt == 1 })
	if r, _ := s.Find("id-1"); !r.StartedAt.Equal(waitedAt) {
		t.Fatalf("ENG-1 started at %s, want at once when ENG-2 ended (%s)", r.StartedAt, waitedAt)
	}
	for _, l := range logLines(t, h.logs.String(), "retrying") {
		if l["attempt"] != 1.0 {
			t.Fatalf("waiting for a slot was logged as a retry: %v", l)
		}
	}
}

func TestRetryReleasesTheClaimWhenTheIssueIsGone(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.PollInterval = time.Hour }))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeTurnFailed, "boom")}}})
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	h.tr.Remove("id-1")
	h.advance(10 * time.Second)
	h.waitFor("the release", idle("id-1"))
	h.eventually("the durable retry row to go", func() bool {
		rows, err := h.store.Retries(context.Background())
		return err == nil && len(rows) == 0
	})
}

func TestWatchingRowsFollowHandoffAndTerminalStates(t *testing.T) {
	h := newHarness(t)
	is := newIssue(1, "In Progress")
	h.put(is)
	handoff := is
	handoff.State = "Human Review"
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Do: func(context.Context, string) error { h.put(handoff); return nil }}}})
	h.start()
	h.waitStatuses("id-1", store.StatusSuccess)
	h.advance(time.Second) // the continuation retry finds the issue gone from the candidates
	h.waitFor("the release", idle("id-1"))
	h.poll()
	s := h.waitFor("the watching row", func(s *Snapshot) bool { return len(s.Watching) == 1 })
	if w := s.Watching[0]; w.Identifier != "ENG-1" || w.State != "Human Review" || w.LastRanAt.IsZero() {
		t.Fatalf("watching row %+v", w)
	}
	done := is
	done.State = "Done"
	h.put(done)
	h.poll()
	h.waitFor("the watching row to go", func(s *Snapshot) bool { return len(s.Watching) == 0 })
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatalf("%d sessions for a handed-off issue", n)
	}
}

func TestSnapshotCarriesTokensAndRateLimits(t *testing.T) {
	h := newHarness(t)
	gate := make(chan struct{})
	defer close(gate)
	limits := json.RawMessage(`{"primary":{"used_percent":42}}`)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 120, RateLimits: limits, Wait: gate}}})
	h.start()
	s := h.waitFor("token totals", func(s *Snapshot) bool { return s.Tokens.Total == 120 })
	r, _ := s.Find("id-1")
	if r.Tokens.Total != 120 || s.DailyTokens != 120 || string(s.RateLimits) != string(limits) {
		t.Fatalf("row tokens %d, daily %d, rate limits %s", r.Tokens.Total, s.DailyTokens, s.RateLimits)
	}
	if r.SessionID == "" || r.Workspace == "" || r.LastEvent == "" {
		t.Fatalf("running row lacks live session fields: %+v", r)
	}
}
