package prwatch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github"
)

func TestDecideCITable(t *testing.T) {
	failed := []failedCheck{{Name: "test", Conclusion: "failure", RunID: 41}}
	statusOnly := []failedCheck{{Name: "ci/legacy", Conclusion: "error"}}
	rules := ciRules{RetryFailedOnce: true, MaxFixAttempts: 2}
	now := t0.Add(time.Hour)
	tests := []struct {
		name    string
		rec     ciRecord
		view    ciView
		guards  ciGuards
		rules   *ciRules
		row     string
		phase   string
		action  string
		rerun   []int64
		release bool
		clean   bool
	}{
		{name: "merged cleans up", view: ciView{PR: func() github.PullRequest { p := openPR(); p.State = github.PullRequestMerged; return p }()}, row: "closed", clean: true},
		{name: "pending is watched", view: ciView{PR: openPR(), Pending: true}, row: "pending", phase: phasePending},
		{name: "green", view: ciView{PR: openPR()}, row: "green", phase: phaseGreen},
		{name: "green while a rework runs releases ownership", rec: ciRecord{FixAttempts: 1, watch: watch{Phase: requestedPhase(actionCIFix)}}, view: ciView{PR: openPR()}, guards: ciGuards{ReworkRunning: true}, row: "green", phase: phaseGreen, release: true},
		{name: "green while an unrelated run works keeps nothing to release", view: ciView{PR: openPR()}, guards: ciGuards{ReworkRunning: true}, row: "green", phase: phaseGreen},
		{name: "first failure reruns once", view: ciView{PR: openPR(), Failed: failed}, row: "failure_rerun", phase: phaseRerunRequested, rerun: []int64{41}},
		{name: "failure after the rerun dispatches a fix", rec: ciRecord{RerunSHAs: []string{"h1"}}, view: ciView{PR: openPR(), Failed: failed}, row: "failure", action: actionCIFix},
		{name: "status-only failure cannot be rerun and dispatches", view: ciView{PR: openPR(), Failed: statusOnly}, row: "failure", action: actionCIFix},
		{name: "no rerun when retry_failed_once is off", view: ciView{PR: openPR(), Failed: failed}, rules: &ciRules{MaxFixAttempts: 2}, row: "failure", action: actionCIFix},
		{name: "already dispatched for this SHA", rec: ciRecord{RerunSHAs: []string{"h1"}, DispatchedSHAs: []string{"h1"}, FixAttempts: 1}, view: ciView{PR: openPR(), Failed: failed}, row: "failure_handled", phase: phaseFailureHandled},
		{name: "fork failure is refused", view: ciView{PR: func() github.PullRequest { p := openPR(); p.HeadRepo = "x/web"; return p }(), Failed: failed}, row: "failure", phase: phaseForkRefused},
		{name: "paused defers the fix", rec: ciRecord{RerunSHAs: []string{"h1"}}, view: ciView{PR: openPR(), Failed: failed}, guards: ciGuards{Paused: true}, row: "failure", phase: "ci_fix_deferred"},
		{name: "max fix attempts escalates", rec: ciRecord{RerunSHAs: []string{"h1"}, FixAttempts: 2, LastDispatchAt: t0}, view: ciView{PR: openPR(), Failed: failed}, row: "failure_escalate", action: actionEscalate},
		{name: "zero max fix attempts escalates on the first real failure", rec: ciRecord{RerunSHAs: []string{"h1"}}, view: ciView{PR: openPR(), Failed: failed}, rules: &ciRules{RetryFailedOnce: true}, row: "failure_escalate", action: actionEscalate},
		{name: "no escalation within the grace after a dispatch for this SHA", rec: ciRecord{RerunSHAs: []string{"h1"}, DispatchedSHAs: []string{"h1"}, FixAttempts: 2, LastDispatchAt: now.Add(-time.Minute), watch: watch{Phase: phaseFailureHandled}}, view: ciView{PR: openPR(), Failed: failed}, row: "failure_escalate", phase: phaseFailureHandled},
		{name: "no escalation while a rework runs", rec: ciRecord{RerunSHAs: []string{"h1"}, FixAttempts: 2, watch: watch{Phase: phaseWatching}}, view: ciView{PR: openPR(), Failed: failed}, guards: ciGuards{ReworkRunning: true}, row: "failure_escalate", phase: phaseWatching},
		{name: "escalated stays escalated", rec: ciRecord{RerunSHAs: []string{"h1"}, FixAttempts: 2, watch: watch{Phase: phaseEscalated}}, view: ciView{PR: openPR(), Failed: failed}, row: "failure_escalated", phase: phaseEscalated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.guards.Now.IsZero() {
				tc.guards.Now = now
			}
			r := rules
			if tc.rules != nil {
				r = *tc.rules
			}
			d := decideCI(tc.rec, tc.view, tc.guards, r)
			if d.Row != tc.row || d.Phase != tc.phase || d.Action != tc.action || !slices.Equal(d.Rerun, tc.rerun) || d.Release != tc.release || d.Cleanup != tc.clean {
				t.Fatalf("decision = %+v, want row %q phase %q action %q rerun %v release %v cleanup %v", d, tc.row, tc.phase, tc.action, tc.rerun, tc.release, tc.clean)
			}
		})
	}
}

func TestNewHeadResetsPerSHAMemoryButKeepsTheLifetimeCount(t *testing.T) {
	rec := ciRecord{watch: watch{Phase: phaseEscalated}, LastObservedSHA: "h1", FixAttempts: 3, DispatchedSHAs: []string{"h1"}, RerunSHAs: []string{"h1"}, RerunRunIDs: []int64{41}}
	resetForHead(&rec, "h1")
	if rec.Phase != phaseEscalated || len(rec.DispatchedSHAs) != 1 {
		t.Fatalf("same head changed the record: %+v", rec)
	}
	resetForHead(&rec, "h2")
	if rec.Phase != phaseWatching || rec.FixAttempts != 3 || rec.DispatchedSHAs != nil || rec.RerunSHAs != nil || rec.RerunRunIDs != nil || rec.LastObservedSHA != "h2" {
		t.Fatalf("after a new head: %+v", rec)
	}
}

func TestClassifyChecksJoinsActionsRunsAndStatuses(t *testing.T) {
	checks := []github.CheckRun{
		{Name: "build", Status: "completed", Conclusion: "success", CheckSuiteID: 1},
		{Name: "test", Status: "completed", Conclusion: "FAILURE", CheckSuiteID: 2},
		{Name: "lint", Status: "completed", Conclusion: "timed_out", CheckSuiteID: 3},
		{Name: "skipped", Status: "completed", Conclusion: "skipped"},
	}
	status := github.CombinedStatus{Contexts: []github.StatusContext{{Context: "deploy", State: "error"}, {Context: "cov", State: "success"}}}
	runs := []github.WorkflowRun{{ID: 20, CheckSuiteID: 2}, {ID: 30, CheckSuiteID: 3}}
	failed, pending := classifyChecks(checks, status, runs)
	want := []failedCheck{{"test", "failure", 20}, {"lint", "timed_out", 30}, {"deploy", "error", 0}}
	if pending || !slices.Equal(failed, want) {
		t.Fatalf("failed = %+v pending %v", failed, pending)
	}
	_, pending = classifyChecks([]github.CheckRun{{Name: "slow", Status: "in_progress"}}, github.CombinedStatus{}, nil)
	if !pending {
		t.Fatal("an in-progress check is not pending")
	}
}

func TestLogExcerptKeepsTheTailFromTheFirstErrorLine(t *testing.T) {
	var lines []string
	for i := range 10 {
		lines = append(lines, "step "+string(rune('a'+i)))
	}
	lines[6] = "--- FAIL: TestX failed"
	lines[8] = "panic: boom"
	got := logExcerpt([]string{strings.Join(lines, "\n") + "\n"}, 5)
	if got != "--- FAIL: TestX failed\nstep h\npanic: boom\nstep j" {
		t.Fatalf("excerpt = %q", got)
	}
	if got := logExcerpt([]string{"ok\nfine\xff"}, 5); got != "ok\nfine?" {
		t.Fatalf("excerpt without an error line = %q", got)
	}
	if got := logExcerpt(nil, 5); got != noRunExcerpt {
		t.Fatalf("excerpt without logs = %q", got)
	}
}
