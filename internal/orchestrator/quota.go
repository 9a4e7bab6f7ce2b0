package orchestrator

import (
	"time"
)

// A model account that is out of quota refuses every session until its limit resets, so
// retrying issue after issue only burns attempts. When an attempt fails for a limit whose reset
// time the runtime reported, new dispatch waits for that reset: the attempt is recorded as
// rate_limited, its issue is retried at the reset without using up an attempt, and a timer
// lifts the hold by itself.

// msgQuotaReset says the limit that held dispatch may have reset.
type msgQuotaReset struct{}

func (msgQuotaReset) loopMessage() {}

// holdDispatchUntil keeps new dispatch waiting until resetAt, extending an earlier hold but
// never shortening it.
func (o *Orchestrator) holdDispatchUntil(resetAt time.Time) {
	if !resetAt.After(o.quotaUntil) {
		return
	}
	o.quotaUntil = resetAt
	o.stopTimer(o.quotaTimer)
	o.quotaTimer = o.clock.AfterFunc(resetAt.Sub(o.clock.Now()), func() { o.send(msgQuotaReset{}) })
	o.log.Warn("the agent's usage limit was reached; new dispatch waits for its reset", "resets_at", resetAt.UTC().Format(time.RFC3339))
}

// onQuotaReset lifts the hold once its time has come; handle marks the slots, so waiting
// issues are dispatched at once.
func (o *Orchestrator) onQuotaReset() {
	if o.quotaUntil.IsZero() || o.clock.Now().Before(o.quotaUntil) {
		return
	}
	o.log.Info("the agent's usage limit has reset; dispatching again")
	o.quotaUntil, o.quotaTimer = time.Time{}, nil
}

// quotaBlocker is the dispatch blocker of a limit that has not reset yet.
func (o *Orchestrator) quotaBlocker() (Blocker, bool) {
	if o.quotaUntil.IsZero() || !o.clock.Now().Before(o.quotaUntil) {
		return Blocker{}, false
	}
	return Blocker{BlockerQuota, "agent usage limit reached; new dispatch resumes at " + o.quotaUntil.UTC().Format(time.RFC3339)}, true
}
