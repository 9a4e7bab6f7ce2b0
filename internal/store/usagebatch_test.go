package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Deltas of many sessions given in one call land as if given one by one: per UTC day, per
// issue and overall. A refused delta is named and the others are still written.
func TestAddUsageOfManyDeltasCountsEachDayAndIssue(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	nextDay := t0.Add(24 * time.Hour)
	err := s.AddUsage(ctx,
		Usage{RepoKey: "web", IssueID: "a", At: t0, Tokens: Tokens{Input: 3, Output: 1, Total: 4}, CostUSD: 0.5},
		Usage{RepoKey: "web", IssueID: "b", At: t0, Tokens: Tokens{Total: 10}},
		Usage{RepoKey: "web", IssueID: "bad", At: t0, Tokens: Tokens{Total: -5}},
		Usage{RepoKey: "web", IssueID: "a", At: nextDay, Tokens: Tokens{Input: 2, Total: 2}, CostUSD: 0.25},
		Usage{RepoKey: "api", IssueID: "a", At: nextDay, Tokens: Tokens{Total: 1}},
	)
	if err == nil || !strings.Contains(err.Error(), "issue bad") {
		t.Fatalf("AddUsage error %v, want the negative delta of issue bad named", err)
	}
	for day, want := range map[time.Time]int64{t0: 14, nextDay: 3} {
		if got, err := s.DailyUsage(ctx, day); err != nil || got != want {
			t.Errorf("DailyUsage(%s) = %d, %v; want %d", day.Format(time.DateOnly), got, err, want)
		}
	}
	for _, c := range []struct {
		repo, issue string
		want        Tokens
	}{
		{"web", "a", Tokens{Input: 5, Output: 1, Total: 6}},
		{"web", "b", Tokens{Total: 10}},
		{"api", "a", Tokens{Total: 1}},
		{"web", "bad", Tokens{}},
	} {
		if got, err := s.IssueUsage(ctx, c.repo, c.issue); err != nil || got != c.want {
			t.Errorf("IssueUsage(%s/%s) = %+v, %v; want %+v", c.repo, c.issue, got, err, c.want)
		}
	}
	tot, err := s.Totals(ctx)
	if err != nil || tot.Tokens.Total != 17 || tot.Tokens.Input != 5 || tot.CostUSD != 0.75 {
		t.Errorf("Totals = %+v, %v; want 17 tokens, 5 input, $0.75", tot, err)
	}
	if err := s.AddUsage(ctx); err != nil {
		t.Errorf("AddUsage of no deltas: %v", err)
	}
}
