package orchestrator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

// dollarPricing makes 1 000 000 uncached input tokens of model-a cost exactly $1.
var dollarPricing = map[string]Price{"model-a": {Input: 1}}

func dollarTurn(tokens int64) agenttest.Turn {
	return agenttest.Turn{Model: "model-a", Usage: agent.TokenUsage{UncachedInput: tokens, Total: tokens}}
}

func TestPerIssueDollarBudgetStopsHoldsAndSurvivesARestart(t *testing.T) {
	state := t.TempDir()
	opts := []option{
		withSettings(func(s *Settings) { s.Pricing = dollarPricing; s.DollarsPerIssue = 1; s.MaxTurns = 5 }),
		func(c *harnessConfig) { c.stateRoot = state },
	}
	h := newHarness(t, opts...)
	h.put(newIssue(1, "In Progress"))
	failed := dollarTurn(500_000)
	failed.Err = agent.Errorf(agent.CodeTurnFailed, "first attempt fails")
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{failed, dollarTurn(250_000), dollarTurn(250_000), dollarTurn(250_000)}})
	h.start()
	h.waitFor("the retry after $0.50", retrying("id-1", 1))
	h.advance(10 * time.Second)
	h.waitStatuses("id-1", store.StatusFailure, store.StatusBudgetExhausted)
	s := h.waitFor("the dollar budget hold", func(s *Snapshot) bool { return len(s.Held) == 1 && idle("id-1")(s) })
	if s.Held[0].Reason != dollarHoldReason {
		t.Fatalf("held for %q, want %q", s.Held[0].Reason, dollarHoldReason)
	}
	if got := len(h.agents.SessionsFor("ENG-1")[1].Prompts()); got != 2 {
		t.Fatalf("the second attempt ran %d turns; the $1 cap should stop it after its second turn ($0.50+$0.25+$0.25)", got)
	}
	if r := h.runs("id-1")[0]; r.CostUSD != 0.5 || !strings.Contains(r.Error, "dollars_per_issue") {
		t.Fatalf("budget run cost %v error %q; want $0.50 and the dollar cap named", r.CostUSD, r.Error)
	}
	h.closeDurable()

	again := newHarness(t, opts...)
	again.put(newIssue(1, "In Progress"))
	again.start()
	again.poll()
	if n := again.agents.Starts(); n != 0 {
		t.Fatalf("after a restart the issue out of dollars got %d sessions", n)
	}
	if s := again.o.Snapshot(); len(s.Held) != 1 || s.Held[0].Reason != dollarHoldReason {
		t.Fatalf("the dollar hold was not restored: %s", describe(s))
	}
}

func TestDailyDollarBudgetPausesNewDispatchUntilTheNextDay(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.Pricing = dollarPricing; s.DollarsPerDay = 0.5 }))
	gate := make(chan struct{})
	first := dollarTurn(500_000)
	first.Wait = gate
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{first, {}}})
	h.start()
	s := h.waitFor("the daily dollar cap", func(s *Snapshot) bool { return len(s.DispatchBlocked) == 1 })
	if !strings.Contains(s.DispatchBlocked[0], "dollars_per_day") {
		t.Fatalf("blocked for %q", s.DispatchBlocked[0])
	}
	h.put(newIssue(2, "Todo"))
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-2")); n != 0 {
		t.Fatal("dispatched over the daily dollar budget")
	}
	if r, ok := h.o.Snapshot().Find("id-1"); !ok || r.StopRequested != "" {
		t.Fatal("the daily dollar cap stopped a running agent")
	}
	close(gate)
	h.waitStatuses("id-1", store.StatusSuccess)
	h.advance(24 * time.Hour)
	h.eventually("dispatch on the next UTC day", func() bool { return len(h.agents.SessionsFor("ENG-2")) == 1 })
}

// symphony run prices its attempts like the service: the result and the run record carry the
// cost, and a spent daily dollar budget refuses the next run.
func TestRunOnceCostsItsAttemptsAndRespectsTheDailyDollarBudget(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.Pricing = dollarPricing; s.DollarsPerDay = 0.75; s.MaxTurns = 2 }))
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{dollarTurn(250_000), dollarTurn(500_000)}})
	res, err := h.runOnce("ENG-1", RunOptions{}, 0)
	if err != nil || res.Outcome != OutcomeSuccess || res.CostUSD != 0.75 {
		t.Fatalf("RunOnce = %+v, %v; want success costing $0.75", res, err)
	}
	if runs := h.runs("id-1"); len(runs) != 1 || runs[0].CostUSD != 0.75 {
		t.Fatalf("run records %+v; want one costing $0.75", runs)
	}
	h.put(newIssue(2, "Todo"))
	_, err = RunOnce(context.Background(), h.deps(), "ENG-2", RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "dollars_per_day 0.75") {
		t.Fatalf("RunOnce over the daily dollar budget: %v", err)
	}
}
