package orchestrator

import (
	"context"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

// The prices and usages are chosen so every cost is exact in binary: 0.5, 0.25 and 0.125
// dollars add up to 0.875 with no rounding, so the test can compare with ==.
func TestScriptedRunCostsThePriceTableTimesItsUsage(t *testing.T) {
	state := t.TempDir()
	pricing := map[string]Price{
		"model-a": {Input: 2, CachedInput: 0.5, CacheCreationInput: 4, Output: 8},
		"model-b": {Input: 1, Output: 8},
	}
	opts := []option{
		withSettings(func(s *Settings) { s.Pricing = pricing; s.MaxTurns = 4 }),
		func(c *harnessConfig) { c.stateRoot = state },
	}
	obs := &recordingObserver{tokens: map[string]int64{}}
	h := newHarness(t, append(opts, func(c *harnessConfig) { c.observer = obs })...)
	is := newIssue(1, "In Progress")
	h.put(is)
	handoff := is
	handoff.State = "Human Review"
	reported := 0.125
	gate := make(chan struct{})
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		// 100 000 × $2 + 200 000 × $0.5 + 25 000 × $4 + 12 500 × $8 per million = $0.5
		{Model: "model-a", Usage: agent.TokenUsage{UncachedInput: 100_000, CachedInput: 200_000, CacheCreationInput: 25_000, Output: 12_500, Total: 337_500},
			Wait: gate},
		// 50 000 × $1 + 25 000 × $8 per million = $0.25
		{Model: "model-b", Usage: agent.TokenUsage{UncachedInput: 50_000, Output: 25_000, Total: 75_000}},
		// The runtime's own figure wins over the table.
		{Model: "model-a", CostUSD: &reported, Usage: agent.TokenUsage{UncachedInput: 1_000_000, Total: 1_000_000}},
		// A model the table does not know costs nothing.
		{Model: "model-c", Usage: agent.TokenUsage{Output: 40_000, Total: 40_000},
			Do: func(context.Context, string) error { h.put(handoff); return nil }},
	}})
	h.start()
	h.waitFor("the issue's cost after its first attempt's first turn", func(s *Snapshot) bool {
		r, ok := s.Find("id-1")
		return ok && r.CostUSD == 0.5 && r.IssueCostUSD == 0.5
	})
	close(gate)
	h.waitStatuses("id-1", store.StatusSuccess)
	const want = 0.875
	run := h.runs("id-1")[0]
	if run.CostUSD != want {
		t.Fatalf("run record cost %v, want %v", run.CostUSD, want)
	}
	s := h.waitFor("the finished run in history", func(s *Snapshot) bool { return len(s.History) == 1 })
	if s.CostUSD != want || s.DailyCostUSD != want || s.History[0].CostUSD != want {
		t.Fatalf("snapshot cost %v, today %v, history %v; want %v each", s.CostUSD, s.DailyCostUSD, s.History[0].CostUSD, want)
	}
	ctx := context.Background()
	h.eventually("the store's cost aggregates", func() bool {
		issueCost, err1 := h.store.IssueCost(ctx, run.RepoKey, is.ID)
		dayCost, err2 := h.store.DailyCost(ctx, h.clock.Now())
		totals, err3 := h.store.Totals(ctx)
		return err1 == nil && err2 == nil && err3 == nil && issueCost == want && dayCost == want && totals.CostUSD == want
	})
	obs.mu.Lock()
	observed := obs.costs[run.RepoKey]
	obs.mu.Unlock()
	if observed != want {
		t.Fatalf("the observer saw $%v, want $%v", observed, want)
	}
	h.closeDurable()

	again := newHarness(t, opts...)
	again.start()
	if s := again.o.Snapshot(); s.CostUSD != want || s.DailyCostUSD != want {
		t.Fatalf("after a restart the cost is %v (today %v), want %v", s.CostUSD, s.DailyCostUSD, want)
	}
}
