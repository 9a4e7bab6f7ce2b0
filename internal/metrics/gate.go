package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// The issue gate's spend: its model calls and the tokens they cost, which no agent run
// accounts for.
var _ orchestrator.GateObserver = (*Metrics)(nil)

// Results of symphony_issue_gate_calls_total and directions of symphony_issue_gate_tokens_total.
const (
	gateCallOK     = "ok"
	gateCallFailed = "failed"
	gateTokensIn   = "input"
	gateTokensOut  = "output"
)

// gateCollectors are the issue gate's counters.
type gateCollectors struct {
	calls    *prometheus.CounterVec
	tokens   *prometheus.CounterVec
	deferred prometheus.Counter
}

func newGateCollectors() gateCollectors {
	g := gateCollectors{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "symphony_issue_gate_calls_total", Help: "Issue gate model calls, by result (ok, failed).",
		}, []string{"result"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "symphony_issue_gate_tokens_total", Help: "Tokens the issue gate's model calls cost, by direction (input, output).",
		}, []string{"direction"}),
		deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "symphony_issue_gate_deferred_total", Help: "Candidates left unscored for a later poll because a poll's gate call cap was reached.",
		}),
	}
	for _, r := range []string{gateCallOK, gateCallFailed} {
		g.calls.WithLabelValues(r)
	}
	for _, d := range []string{gateTokensIn, gateTokensOut} {
		g.tokens.WithLabelValues(d)
	}
	return g
}

func (g gateCollectors) collectors() []prometheus.Collector {
	return []prometheus.Collector{g.calls, g.tokens, g.deferred}
}

// OnGate adds one gate round's calls, tokens and deferrals.
func (m *Metrics) OnGate(r orchestrator.GateRound) {
	m.gate.calls.WithLabelValues(gateCallOK).Add(float64(max(r.Calls-r.Failed, 0)))
	m.gate.calls.WithLabelValues(gateCallFailed).Add(float64(r.Failed))
	m.gate.tokens.WithLabelValues(gateTokensIn).Add(float64(r.Usage.InputTokens))
	m.gate.tokens.WithLabelValues(gateTokensOut).Add(float64(r.Usage.OutputTokens))
	m.gate.deferred.Add(float64(r.Deferred))
}
