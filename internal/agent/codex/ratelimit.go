package codex

import (
	"encoding/json"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// Codex 0.169 reports a refused usage limit in two frames: account/rateLimits/updated, whose
// windows carry resetsAt only when the model API sent the x-codex-*-reset-at headers, then a
// failed turn whose error has codexErrorInfo "usageLimitExceeded". The reset time it prints
// in the message ("try again at 4:09 AM") is local wall-clock text without a date, so it is
// never parsed: without a reported window reset, the failure carries no ResetAt.

// rateLimitSnapshot is the part of an account/rateLimits/updated payload that says when an
// exhausted limit opens again.
type rateLimitSnapshot struct {
	Primary         *rateLimitWindow `json:"primary"`
	Secondary       *rateLimitWindow `json:"secondary"`
	IndividualLimit *struct {
		RemainingPercent int64 `json:"remainingPercent"`
		ResetsAt         int64 `json:"resetsAt"`
	} `json:"individualLimit"`
}

type rateLimitWindow struct {
	UsedPercent float64 `json:"usedPercent"`
	ResetsAt    *int64  `json:"resetsAt"`
}

// exhaustedLimits remembers, per limit, when each limit Codex reported as used up resets.
// Updates are sparse: a limit missing from an update keeps what was known of it.
type exhaustedLimits map[string]time.Time

// observe folds one account/rateLimits/updated payload in.
func (lp *exhaustedLimits) observe(raw json.RawMessage) {
	var snap rateLimitSnapshot
	if json.Unmarshal(raw, &snap) != nil {
		return
	}
	if *lp == nil {
		*lp = exhaustedLimits{}
	}
	l := *lp
	for name, w := range map[string]*rateLimitWindow{"primary": snap.Primary, "secondary": snap.Secondary} {
		switch {
		case w == nil:
		case w.UsedPercent >= 100 && w.ResetsAt != nil:
			l[name] = time.Unix(*w.ResetsAt, 0)
		default:
			delete(l, name)
		}
	}
	if il := snap.IndividualLimit; il != nil {
		if il.RemainingPercent <= 0 && il.ResetsAt > 0 {
			l["individualLimit"] = time.Unix(il.ResetsAt, 0)
		} else {
			delete(l, "individualLimit")
		}
	}
}

// resetAt is when every exhausted limit has reset, counting only resets still ahead of now;
// zero when none is known.
func (l exhaustedLimits) resetAt(now time.Time) time.Time {
	var latest time.Time
	for _, at := range l {
		if at.After(now) && at.After(latest) {
			latest = at
		}
	}
	return latest
}

// isRateLimitFailure reports whether a failed turn's codexErrorInfo says the account's usage
// or rate limit refused it: the usageLimitExceeded and rateLimitExceeded codes, or an HTTP
// failure variant whose upstream status was 429.
func isRateLimitFailure(info json.RawMessage) bool {
	var code string
	if json.Unmarshal(info, &code) == nil {
		return code == "usageLimitExceeded" || code == "rateLimitExceeded"
	}
	var variants map[string]struct {
		HTTPStatusCode *int `json:"httpStatusCode"`
	}
	if json.Unmarshal(info, &variants) != nil {
		return false
	}
	for _, v := range variants {
		if v.HTTPStatusCode != nil && *v.HTTPStatusCode == 429 {
			return true
		}
	}
	return false
}

// turnFailure is the error of a turn Codex reported as failed with msg and codexErrorInfo.
func (st *sessionState) turnFailure(msg string, info json.RawMessage) *agent.Error {
	if !isRateLimitFailure(info) {
		return agent.Errorf(agent.CodeTurnFailed, "%s", msg)
	}
	return &agent.Error{Code: agent.CodeRateLimited, Message: msg, ResetAt: st.limits.resetAt(st.frameTime)}
}
