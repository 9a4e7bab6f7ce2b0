package store

import (
	"context"
	"testing"
	"time"
)

// Costs add up beside tokens: per UTC day, per issue, overall, and on the run record.
func TestCostCountsPerDayPerIssueAndPerRun(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	nextDay := t0.Add(2 * time.Minute)
	for _, u := range []Usage{
		{RepoKey: "web", IssueID: "a", At: t0, Tokens: Tokens{Total: 10}, CostUSD: 0.5},
		{RepoKey: "web", IssueID: "a", At: nextDay, Tokens: Tokens{Total: 7}, CostUSD: 0.25},
		{RepoKey: "api", IssueID: "a", At: nextDay, Tokens: Tokens{Total: 1}, CostUSD: 0.125},
	} {
		if err := s.AddUsage(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for day, want := range map[time.Time]float64{t0: 0.5, nextDay: 0.375, t0.Add(48 * time.Hour): 0} {
		if got, err := s.DailyCost(ctx, day); err != nil || got != want {
			t.Errorf("DailyCost(%s) = %v, %v; want %v", day.Format(time.DateOnly), got, err, want)
		}
	}
	if got, err := s.IssueCost(ctx, "web", "a"); err != nil || got != 0.75 {
		t.Errorf("IssueCost(web/a) = %v, %v; want 0.75", got, err)
	}
	if tot, err := s.Totals(ctx); err != nil || tot.CostUSD != 0.875 {
		t.Errorf("Totals cost = %v, %v; want 0.875", tot.CostUSD, err)
	}
	if err := s.AddUsage(ctx, Usage{RepoKey: "web", IssueID: "a", CostUSD: -1}); err == nil {
		t.Error("a negative cost was accepted")
	}

	run, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	run.CostUSD = 0.25
	if err := s.UpdateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Run(ctx, "web", run.ID); err != nil || got.CostUSD != 0.25 {
		t.Fatalf("running run cost = %v, %v; want 0.25", got.CostUSD, err)
	}
	run.CostUSD, run.Status = 0.75, StatusSuccess
	if err := s.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Run(ctx, "web", run.ID); err != nil || got.CostUSD != 0.75 {
		t.Fatalf("finished run cost = %v, %v; want 0.75", got.CostUSD, err)
	}
}
