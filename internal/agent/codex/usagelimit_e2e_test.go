package codex

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
)

// usageLimitBody is the error body the model API sends when an account's usage is spent.
func usageLimitBody(resetsAt int64) string {
	return fmt.Sprintf(`{"error":{"type":"usage_limit_reached","message":"The usage limit has been reached","plan_type":"plus","resets_at":%d,"resets_in_seconds":1800}}`, resetsAt)
}

func TestRealCodexUsageLimitReportsResetTime(t *testing.T) {
	resetsAt := time.Now().Add(30 * time.Minute).Unix()
	rs := newRealSession(t, nil, codextest.Step{HTTPStatus: 429, HTTPBody: usageLimitBody(resetsAt), HTTPHeader: map[string]string{
		"x-codex-primary-used-percent":   "100",
		"x-codex-primary-window-minutes": "300",
		"x-codex-primary-reset-at":       strconv.FormatInt(resetsAt, 10),
	}})
	_, err := rs.RunTurn(context.Background(), "anything")
	if agent.CodeOf(err) != agent.CodeRateLimited {
		t.Fatalf("RunTurn = %v, want rate_limited", err)
	}
	if got := agent.ResetAtOf(err); !got.Equal(time.Unix(resetsAt, 0)) {
		t.Errorf("ResetAt = %v, want the reported reset %v", got, time.Unix(resetsAt, 0))
	}
	if evs := rs.rec.ofKind(agent.EventTurnFailed); len(evs) != 1 || evs[0].Code != agent.CodeRateLimited {
		t.Errorf("turn_failed events = %+v, want one coded rate_limited", evs)
	}
}

func TestRealCodexUsageLimitWithoutResetHeadersGuessesNoTime(t *testing.T) {
	// Codex prints the body's resets_at only as local wall-clock text in its message; with no
	// x-codex-*-reset-at header no window carries a reset, so none may be claimed.
	resetsAt := time.Now().Add(30 * time.Minute).Unix()
	rs := newRealSession(t, nil, codextest.Step{HTTPStatus: 429, HTTPBody: usageLimitBody(resetsAt)})
	_, err := rs.RunTurn(context.Background(), "anything")
	if agent.CodeOf(err) != agent.CodeRateLimited {
		t.Fatalf("RunTurn = %v, want rate_limited", err)
	}
	if got := agent.ResetAtOf(err); !got.IsZero() {
		t.Errorf("ResetAt = %v, want none", got)
	}
	if !strings.Contains(err.Error(), "usage limit") {
		t.Errorf("err = %v, want Codex's usage-limit message", err)
	}
}

func TestRealCodexPlain429IsRateLimited(t *testing.T) {
	rs := newRealSession(t, nil, codextest.Step{HTTPStatus: 429, HTTPBody: `{"error":{"type":"rate_limit_exceeded","message":"Rate limit reached for requests"}}`,
		HTTPHeader: map[string]string{"retry-after": "20"}})
	_, err := rs.RunTurn(context.Background(), "anything")
	if agent.CodeOf(err) != agent.CodeRateLimited || !agent.ResetAtOf(err).IsZero() {
		t.Fatalf("RunTurn = %v (reset %v), want rate_limited with no reset", err, agent.ResetAtOf(err))
	}
}
