package codex

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// Payloads below are account/rateLimits/updated params and codexErrorInfo values recorded
// from codex 0.169.0 answering a mock model API with HTTP 429.

func TestExhaustedLimitsResetAt(t *testing.T) {
	now := time.Unix(1796614771, 0)
	cases := []struct {
		name    string
		updates []string
		want    time.Time
	}{
		{name: "usage_limit_reached with x-codex-primary-reset-at", updates: []string{
			`{"limitId":"codex","limitName":null,"normalModelSlug":null,"primary":{"usedPercent":100,"windowDurationMins":300,"resetsAt":1796616567},"secondary":null,"credits":null,"individualLimit":null,"spendControlReached":null,"planType":null,"rateLimitReachedType":null}`,
		}, want: time.Unix(1796616567, 0)},
		{name: "usage_limit_reached with only a body reset: no window, no time", updates: []string{
			`{"limitId":"codex","limitName":null,"normalModelSlug":null,"primary":null,"secondary":null,"credits":null,"individualLimit":null,"spendControlReached":null,"planType":null,"rateLimitReachedType":null}`,
		}},
		{name: "reset-after-seconds headers are not turned into resetsAt", updates: []string{
			`{"limitId":"codex","primary":{"usedPercent":40,"windowDurationMins":null,"resetsAt":null},"secondary":{"usedPercent":100,"windowDurationMins":null,"resetsAt":null}}`,
		}},
		{name: "a window not used up gives no reset", updates: []string{
			`{"primary":{"usedPercent":99,"resetsAt":1796616567}}`,
		}},
		{name: "the latest of two exhausted windows", updates: []string{
			`{"primary":{"usedPercent":100,"resetsAt":1796616567},"secondary":{"usedPercent":100,"resetsAt":1796700000}}`,
		}, want: time.Unix(1796700000, 0)},
		{name: "a sparse update keeps the window it omits", updates: []string{
			`{"primary":{"usedPercent":100,"resetsAt":1796616567}}`,
			`{"primary":null,"secondary":{"usedPercent":10,"resetsAt":1796700000}}`,
		}, want: time.Unix(1796616567, 0)},
		{name: "a later update showing the window open clears it", updates: []string{
			`{"primary":{"usedPercent":100,"resetsAt":1796616567}}`,
			`{"primary":{"usedPercent":3,"resetsAt":1796632000}}`,
		}},
		{name: "a reset already past is no reset", updates: []string{
			`{"primary":{"usedPercent":100,"resetsAt":1796614000}}`,
		}},
		{name: "a spent individual limit", updates: []string{
			`{"individualLimit":{"limit":"50","used":"50","remainingPercent":0,"resetsAt":1796620000}}`,
		}, want: time.Unix(1796620000, 0)},
		{name: "malformed payload is ignored", updates: []string{`{"primary":"full"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l exhaustedLimits
			for _, u := range c.updates {
				l.observe(json.RawMessage(u))
			}
			if got := l.resetAt(now); !got.Equal(c.want) {
				t.Errorf("resetAt = %v, want %v", got, c.want)
			}
		})
	}
}

func TestTurnFailureCodes(t *testing.T) {
	reset := time.Unix(1796616567, 0)
	cases := []struct {
		info      string
		want      agent.Code
		wantReset time.Time
	}{
		{info: `"usageLimitExceeded"`, want: agent.CodeRateLimited, wantReset: reset},
		{info: `"rateLimitExceeded"`, want: agent.CodeRateLimited, wantReset: reset},
		{info: `{"responseTooManyFailedAttempts":{"httpStatusCode":429}}`, want: agent.CodeRateLimited, wantReset: reset},
		{info: `{"responseTooManyFailedAttempts":{"httpStatusCode":500}}`, want: agent.CodeTurnFailed},
		{info: `{"httpConnectionFailed":{"httpStatusCode":null}}`, want: agent.CodeTurnFailed},
		{info: `"serverOverloaded"`, want: agent.CodeTurnFailed},
		{info: `null`, want: agent.CodeTurnFailed},
		{info: ``, want: agent.CodeTurnFailed},
	}
	for _, c := range cases {
		t.Run(c.info, func(t *testing.T) {
			st := sessionState{frameTime: time.Unix(1796614771, 0)}
			st.limits.observe(json.RawMessage(`{"primary":{"usedPercent":100,"resetsAt":1796616567}}`))
			err := st.turnFailure("refused", json.RawMessage(c.info))
			if err.Code != c.want || !err.ResetAt.Equal(c.wantReset) || err.Message != "refused" {
				t.Errorf("turnFailure = %+v, want code %s reset %v", err, c.want, c.wantReset)
			}
		})
	}
}
