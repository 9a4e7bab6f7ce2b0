package metrics

import (
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// Metrics is the orchestrator's Observer: every method only updates in-memory collectors, as
// the loop calls them inline.
var _ orchestrator.Observer = (*Metrics)(nil)

// OnDispatch counts a started attempt.
func (m *Metrics) OnDispatch(repoKey string) {
	m.dispatches.WithLabelValues(m.repository(repoKey)).Inc()
}

// OnTurn records a completed turn's duration.
func (m *Metrics) OnTurn(repoKey string, took time.Duration) {
	m.turns.WithLabelValues(m.repository(repoKey)).Observe(took.Seconds())
}

// OnTokens adds a usage delta bucket by bucket. A bucket that went down (a runtime
// correcting itself) is skipped: counters only grow.
func (m *Metrics) OnTokens(repoKey string, d agent.TokenUsage) {
	repo := m.repository(repoKey)
	counts := [...]int64{d.UncachedInput, d.CachedInput, d.CacheCreationInput, d.Output}
	for i, n := range counts {
		if n > 0 {
			m.tokens.WithLabelValues(repo, tokenBuckets[i]).Add(float64(n))
		}
	}
	if d.Total > 0 {
		m.grossTokens.WithLabelValues(repo).Add(float64(d.Total))
	}
}

// OnCost adds what a usage delta cost; a negative figure is skipped, as counters only grow.
func (m *Metrics) OnCost(repoKey string, usd float64) {
	repo := m.repository(repoKey)
	if usd > 0 {
		m.costUSD.WithLabelValues(repo).Add(usd)
	}
}

// OnExit counts an ended attempt by outcome and records how long it ran.
func (m *Metrics) OnExit(repoKey string, status store.Status, reason orchestrator.StopReason, took time.Duration) {
	repo := m.repository(repoKey)
	m.completed.WithLabelValues(repo, outcome(status, reason)).Inc()
	m.attempts.WithLabelValues(repo).Observe(took.Seconds())
}

// OnPoll counts a poll by result and records its duration.
func (m *Metrics) OnPoll(took time.Duration, failed bool) {
	result := pollOK
	if failed {
		result = pollFailed
	}
	m.polls.WithLabelValues(result).Inc()
	m.pollTime.Observe(took.Seconds())
}

// repository returns repoKey's label value, creating the repository's zero series the first
// time it is seen.
func (m *Metrics) repository(repoKey string) string {
	repo, first := m.repos.label(repoKey)
	if first {
		m.initRepository(repo)
	}
	return repo
}
