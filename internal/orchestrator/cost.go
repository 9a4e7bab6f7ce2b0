package orchestrator

import "github.com/symphony-go/symphony/internal/agent"

// Price is what one model costs, in US dollars per million tokens of each bucket
// (agent.pricing).
type Price struct {
	Input              float64
	CachedInput        float64
	CacheCreationInput float64
	Output             float64
}

// costOf is what a token_usage event's delta cost in US dollars: the runtime's own figure
// when it reported one, else the delta priced at its model's entry in pricing, else zero.
func costOf(pricing map[string]Price, ev agent.Event) float64 {
	if ev.CostUSD != nil {
		return max(*ev.CostUSD, 0)
	}
	p, ok := pricing[ev.Model]
	if !ok || ev.UsageDelta == nil {
		return 0
	}
	d := *ev.UsageDelta
	return (float64(d.UncachedInput)*p.Input + float64(d.CachedInput)*p.CachedInput +
		float64(d.CacheCreationInput)*p.CacheCreationInput + float64(d.Output)*p.Output) / 1e6
}
