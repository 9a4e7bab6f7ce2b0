package server

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

func TestTokensPerHourSpreadsEachRunOverItsTime(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC)
	snap := &orchestrator.Snapshot{At: now,
		History: []orchestrator.HistoryRow{
			// Two whole hours, 09:00-11:00: half in each.
			{RepoKey: "web", StartedAt: now.Add(-210 * time.Minute), EndedAt: now.Add(-90 * time.Minute), Tokens: agent.TokenUsage{Total: 1000}},
			// Ended before the window: not counted.
			{RepoKey: "web", StartedAt: now.Add(-30 * time.Hour), EndedAt: now.Add(-26 * time.Hour), Tokens: agent.TokenUsage{Total: 777}},
			// Another repository.
			{RepoKey: "api", StartedAt: now.Add(-time.Hour), EndedAt: now.Add(-time.Hour), Tokens: agent.TokenUsage{Total: 50}},
		},
		// Running since 12:00: all of it in the current hour.
		Running: []orchestrator.RunningRow{{RepoKey: "web", StartedAt: now.Add(-30 * time.Minute), Tokens: agent.TokenUsage{Total: 300}}},
	}
	byHour := func(repo string) map[int]int64 {
		got := map[int]int64{}
		buckets := tokensPerHour(snap, repo)
		if len(buckets) != 24 || !buckets[23].Start.Equal(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("%d buckets, the last from %s", len(buckets), buckets[len(buckets)-1].Start)
		}
		for _, b := range buckets {
			if b.Tokens != 0 {
				got[b.Start.Hour()] = b.Tokens
			}
		}
		return got
	}
	if got, want := byHour("web"), map[int]int64{9: 500, 10: 500, 12: 300}; !maps.Equal(got, want) {
		t.Errorf("web tokens by hour %v, want %v", got, want)
	}
	if got, want := byHour(""), map[int]int64{9: 500, 10: 500, 11: 50, 12: 300}; !maps.Equal(got, want) {
		t.Errorf("all tokens by hour %v, want %v", got, want)
	}
	svg := string(tokensPerHourSVG(tokensPerHour(snap, "")))
	for _, want := range []string{`aria-label="Tokens per hour, last 24 hours: 1,350 in all, peak 500 in one hour"`, `<title>09:00 UTC: 500 tokens</title>`, `<title>11:00 UTC: 50 tokens</title>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the plot lacks %q", want)
		}
	}
	if got := strings.Count(svg, `<rect class="bar"`); got != 24 {
		t.Errorf("%d bars, want 24", got)
	}
}

func TestOutcomesPerDayCountsTheLastWeek(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	ended := func(daysAgo int, s store.Status) orchestrator.HistoryRow {
		at := now.Add(-time.Duration(daysAgo) * 24 * time.Hour)
		return orchestrator.HistoryRow{RepoKey: "web", Status: s, StartedAt: at.Add(-time.Minute), EndedAt: at}
	}
	snap := &orchestrator.Snapshot{At: now, History: []orchestrator.HistoryRow{
		ended(0, store.StatusSuccess), ended(0, store.StatusSuccess), ended(0, store.StatusFailure),
		ended(1, store.StatusTimeout), ended(1, store.StatusBudgetExhausted), ended(1, store.StatusStopped),
		ended(6, store.StatusInterrupted), ended(7, store.StatusSuccess),
	}}
	days := outcomesPerDay(snap, "")
	if len(days) != 7 || days[6].Day.Format(time.DateOnly) != "2026-12-06" || days[0].Day.Format(time.DateOnly) != "2026-11-30" {
		t.Fatalf("days %v", days)
	}
	want := map[int]dayOutcomes{6: {Succeeded: 2, Failed: 1}, 5: {Failed: 2, Halted: 1}, 0: {Halted: 1}}
	for i, d := range days {
		w := want[i]
		if d.Succeeded != w.Succeeded || d.Failed != w.Failed || d.Halted != w.Halted {
			t.Errorf("%s: %+v, want %+v", d.Day.Format(time.DateOnly), d, w)
		}
	}
	svg := string(outcomesPerDaySVG(days))
	for _, want := range []string{`aria-label="Run outcomes per day, last 7 days: 2 succeeded, 3 failed, 2 halted"`, `<title>Dec 6: 2 ok</title>`, `<title>Dec 5: 1 halted</title>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the plot lacks %q", want)
		}
	}
}

func TestPageFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := comma(in); got != want {
			t.Errorf("comma(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{-time.Second: "0s", 59 * time.Second: "59s", 785 * time.Second: "13m 5s",
		2*time.Hour + 4*time.Minute: "2h 4m", 73 * time.Hour: "3d 1h"} {
		if got := humanDuration(in); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", in, got, want)
		}
	}
	if got := untilText(epoch, epoch.Add(-time.Second)); got != "due now" {
		t.Errorf("a past due time reads %q", got)
	}
}

func TestRateLimitLinesFlattenAnyPayload(t *testing.T) {
	got := rateLimitLines([]byte(`{"limit_id":"codex","primary":{"used_percent":12.5,"window_minutes":300},"credits":{"unlimited":false,"balance":null}}`))
	want := []rateLimitLine{{"credits.balance", "none"}, {"credits.unlimited", "false"}, {"limit_id", "codex"},
		{"primary.used_percent", "12.5"}, {"primary.window_minutes", "300"}}
	if len(got) != len(want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
	if got := rateLimitLines([]byte(`{not json`)); len(got) != 1 || !strings.Contains(got[0].Value, "unreadable payload") {
		t.Errorf("a broken payload gives %v", got)
	}
	if got := rateLimitLines(nil); got != nil {
		t.Errorf("no payload gives %v", got)
	}
}
