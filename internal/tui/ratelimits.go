package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// rateLimits is the part of Codex's RateLimitSnapshot (account/rateLimits/updated) the view
// shows. Other runtimes send other shapes; those are shown as compact JSON instead.
type rateLimits struct {
	LimitID   *string          `json:"limitId"`
	LimitName *string          `json:"limitName"`
	Primary   *rateLimitWindow `json:"primary"`
	Secondary *rateLimitWindow `json:"secondary"`
	Credits   *credits         `json:"credits"`
}

type rateLimitWindow struct {
	UsedPercent        *int64 `json:"usedPercent"`
	WindowDurationMins *int64 `json:"windowDurationMins"`
	// ResetsAt is a Unix time in seconds.
	ResetsAt *int64 `json:"resetsAt"`
}

type credits struct {
	HasCredits bool    `json:"hasCredits"`
	Unlimited  bool    `json:"unlimited"`
	Balance    *string `json:"balance"`
}

// rateLimitLine renders the agent's latest rate-limit payload; resets are relative to now.
func rateLimitLine(raw json.RawMessage, now time.Time) string {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return "n/a"
	}
	var rl rateLimits
	if json.Unmarshal(raw, &rl) != nil || (rl.Primary == nil && rl.Secondary == nil && rl.Credits == nil) {
		return compactJSON(raw)
	}
	var parts []string
	switch {
	case rl.LimitName != nil && *rl.LimitName != "":
		parts = append(parts, flat(*rl.LimitName))
	case rl.LimitID != nil && *rl.LimitID != "":
		parts = append(parts, flat(*rl.LimitID))
	}
	for _, w := range []struct {
		name string
		win  *rateLimitWindow
	}{{"primary", rl.Primary}, {"secondary", rl.Secondary}} {
		if w.win != nil {
			parts = append(parts, w.name+" "+w.win.describe(now))
		}
	}
	if c := rl.Credits; c != nil {
		switch {
		case c.Unlimited:
			parts = append(parts, "credits unlimited")
		case !c.HasCredits:
			parts = append(parts, "credits none")
		case c.Balance != nil:
			parts = append(parts, "credits "+flat(*c.Balance))
		default:
			parts = append(parts, "credits available")
		}
	}
	return strings.Join(parts, " | ")
}

func (w rateLimitWindow) describe(now time.Time) string {
	s := "n/a"
	if w.UsedPercent != nil {
		s = fmt.Sprintf("%d%% used", *w.UsedPercent)
	}
	if w.WindowDurationMins != nil {
		s += " of " + span(time.Duration(*w.WindowDurationMins)*time.Minute)
	}
	if w.ResetsAt != nil {
		s += " reset " + span(time.Unix(*w.ResetsAt, 0).Sub(now))
	}
	return s
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return flat(string(raw))
	}
	return b.String()
}
