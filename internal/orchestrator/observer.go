package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/store"
)

// Observer receives the loop's countable moments, for metrics. The loop calls it inline, so
// an implementation must return at once: no I/O, no locks held for long, no calls back into
// the orchestrator.
type Observer interface {
	// OnDispatch is called when an attempt on an issue of repoKey starts.
	OnDispatch(repoKey string)
	// OnTurn is called when a turn of an attempt completes; took is the turn's duration.
	OnTurn(repoKey string, took time.Duration)
	// OnTokens is called with each token usage delta an agent reports.
	OnTokens(repoKey string, delta agent.TokenUsage)
	// OnCost is called with what each token usage delta cost in US dollars (zero unpriced).
	OnCost(repoKey string, usd float64)
	// OnExit is called when an attempt ends, with the status of its run record, the reason
	// the orchestrator stopped it ("" when it was not stopped) and how long it ran.
	OnExit(repoKey string, status store.Status, reason StopReason, took time.Duration)
	// OnPoll is called when a poll's result reaches the loop; failed is true when the
	// tracker refresh, the candidate fetch or the dispatch preflight failed.
	OnPoll(took time.Duration, failed bool)
}

// noObserver is the Observer of Deps without one.
type noObserver struct{}

func (noObserver) OnDispatch(string)                                      {}
func (noObserver) OnTurn(string, time.Duration)                           {}
func (noObserver) OnTokens(string, agent.TokenUsage)                      {}
func (noObserver) OnCost(string, float64)                                 {}
func (noObserver) OnExit(string, store.Status, StopReason, time.Duration) {}
func (noObserver) OnPoll(time.Duration, bool)                             {}
