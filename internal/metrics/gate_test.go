package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/orchestrator"
)

func TestOnGateCountsCallsTokensAndDeferrals(t *testing.T) {
	m := New(Options{})
	m.OnGate(orchestrator.GateRound{Calls: 3, Failed: 1, Deferred: 2, Usage: gate.Usage{InputTokens: 300, OutputTokens: 40}})
	m.OnGate(orchestrator.GateRound{Calls: 1, Usage: gate.Usage{InputTokens: 100, OutputTokens: 10}})
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"calls ok", testutil.ToFloat64(m.gate.calls.WithLabelValues(gateCallOK)), 3},
		{"calls failed", testutil.ToFloat64(m.gate.calls.WithLabelValues(gateCallFailed)), 1},
		{"input tokens", testutil.ToFloat64(m.gate.tokens.WithLabelValues(gateTokensIn)), 400},
		{"output tokens", testutil.ToFloat64(m.gate.tokens.WithLabelValues(gateTokensOut)), 50},
		{"deferred", testutil.ToFloat64(m.gate.deferred), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}
