package orchestrator

import (
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

func TestUsageLimitHoldsDispatchUntilItsResetWithoutUsingAnAttempt(t *testing.T) {
	h := newHarness(t)
	reset := epoch.Add(2 * time.Hour)
	limited := agent.Errorf(agent.CodeRateLimited, "usage limit reached")
	limited.ResetAt = reset
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.CodeTurnFailed, "an ordinary failure first")},
		{Err: limited},
		{},
	}})
	h.start()
	h.waitFor("the first retry", retrying("id-1", 1))
	h.advance(10 * time.Second)
	h.waitStatuses("id-1", store.StatusFailure, store.StatusRateLimited)

	s := h.waitFor("the retry at the reset", retrying("id-1", 1))
	if r, _ := s.Retry("id-1"); !r.DueAt.Equal(reset) {
		t.Fatalf("retry due %v, want the reported reset %v", r.DueAt, reset)
	}
	if len(s.Blockers) != 1 || s.Blockers[0].Kind != BlockerQuota || s.Blockers[0].Message != "agent usage limit reached; new dispatch resumes at "+reset.Format(time.RFC3339) {
		t.Fatalf("blockers %+v, want the usage limit with its reset", s.Blockers)
	}

	// Nothing new starts while the limit holds, however often the tracker is polled.
	h.put(newIssue(2, "Todo"))
	h.poll()
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-2")); n != 0 {
		t.Fatalf("ENG-2 was dispatched during the usage limit (%d sessions)", n)
	}

	// At the reset the hold lifts by itself: the waiting issue and the retry both run.
	h.advance(reset.Sub(h.clock.Now()))
	h.eventually("both issues to run after the reset", func() bool {
		return len(h.agents.SessionsFor("ENG-1")) == 3 && len(h.agents.SessionsFor("ENG-2")) == 1
	})
	if b := h.o.Snapshot().Blockers; len(b) != 0 {
		t.Fatalf("blockers %+v after the reset", b)
	}
	runs := h.runs("id-1")
	if last := runs[0]; last.Attempt != 1 {
		t.Fatalf("the attempt after the reset is %d, want 1: the limit must not use up an attempt", last.Attempt)
	}
}

func TestRateLimitWithoutResetTimeIsAnOrdinaryFailure(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.CodeRateLimited, "429 without a reset time")},
	}})
	h.start()
	s := h.waitFor("the retry", retrying("id-1", 1))
	if len(s.Blockers) != 0 {
		t.Fatalf("blockers %+v: a limit without a reset time must not hold dispatch", s.Blockers)
	}
	h.waitStatuses("id-1", store.StatusFailure)
}
