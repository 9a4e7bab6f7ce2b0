package prwatch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// failCI gives sha a failed Actions run whose job log ends in an error.
func failCI(h *harness, sha string) githubtest.WorkflowRun {
	run := h.gh.AddWorkflowRun(fullName, githubtest.WorkflowRun{Name: "ci", HeadSHA: sha, HeadBranch: head, Status: "completed", Conclusion: "failure",
		Jobs: []githubtest.Job{{Name: "test", Status: "completed", Conclusion: "failure", Log: "setup ok\nbuilding\n--- FAIL: TestAdd failed: 1+1 != 3\nexit 1\n"}}})
	h.gh.AddCheckRun(fullName, githubtest.CheckRun{HeadSHA: sha, Name: "test", Status: "completed", Conclusion: "failure", CheckSuiteID: run.CheckSuiteID})
	return run
}

func ciRec(t *testing.T, h *harness) ciRecord {
	t.Helper()
	var rec ciRecord
	if err := json.Unmarshal(h.row(pollerCI).Record, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestCIFailureRerunsOncePerSHAThenFixesThenEscalates(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	run := failCI(h, sha1)

	p.ciCycle(ctx)
	if h.gh.Reruns(fullName, run.ID) != 1 || ciRec(t, h).Phase != phaseRerunRequested || h.state() != "In Review" {
		t.Fatalf("first failure: reruns %d, record %+v", h.gh.Reruns(fullName, run.ID), ciRec(t, h))
	}
	p.ciCycle(ctx)
	rec := ciRec(t, h)
	if h.gh.Reruns(fullName, run.ID) != 1 || rec.Phase != requestedPhase(actionCIFix) || rec.FixAttempts != 1 || h.state() != "In Progress" {
		t.Fatalf("failure after the rerun: reruns %d, record %+v, issue %q", h.gh.Reruns(fullName, run.ID), rec, h.state())
	}
	f := h.runContext().CIFailure
	if f == nil || f.CommitSHA != sha1 || len(f.FailedChecks) != 1 || f.FailedChecks[0].Name != "test" || !strings.HasPrefix(f.LogExcerpt, "--- FAIL: TestAdd") {
		t.Fatalf("CI context = %+v", f)
	}
	// The review poller leaves an issue the CI poller owns alone.
	h.setState("In Review")
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "also this"})
	h.clock.Advance(time.Hour)
	p.reviewCycle(ctx)
	if h.row(pollerReview).Phase != phaseCIOwned {
		t.Fatalf("review phase while CI owns the issue = %q", h.row(pollerReview).Phase)
	}
	// Same SHA, back in review: already handled.
	p.ciCycle(ctx)
	if ciRec(t, h).Phase != phaseFailureHandled || h.state() != "In Review" {
		t.Fatalf("same SHA again: %+v, issue %q", ciRec(t, h), h.state())
	}
	// A new head that fails too: one rerun for it, then a second fix (the lifetime count goes on).
	h.gh.SetBranch(fullName, head, sha2)
	run2 := failCI(h, sha2)
	p.ciCycle(ctx)
	p.ciCycle(ctx)
	if rec := ciRec(t, h); h.gh.Reruns(fullName, run2.ID) != 1 || rec.FixAttempts != 2 || rec.Phase != requestedPhase(actionCIFix) || h.state() != "In Progress" {
		t.Fatalf("second head: reruns %d, record %+v, issue %q", h.gh.Reruns(fullName, run2.ID), rec, h.state())
	}
	// A third failing head after max_fix_attempts (2): rerun, then escalate, not a third fix.
	h.setState("In Review")
	h.gh.SetBranch(fullName, head, sha3)
	failCI(h, sha3)
	p.ciCycle(ctx)
	p.ciCycle(ctx)
	if rec := ciRec(t, h); rec.Phase != phaseEscalated || rec.FixAttempts != 2 || h.state() != "Needs Human" || h.events.count("ci_escalated") != 1 {
		t.Fatalf("after max_fix_attempts: record %+v, issue %q, events %v", rec, h.state(), h.events.kinds)
	}
}

func TestGreenWhileAReworkRunsReleasesCIOwnership(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s := h.settings()
	s.RetryFailedOnce = false
	p := h.pollers(s, h.tr, h.st)
	failCI(h, sha1)
	p.ciCycle(ctx)
	if ciRec(t, h).Phase != requestedPhase(actionCIFix) {
		t.Fatalf("fix not requested: %+v", ciRec(t, h))
	}
	// The issue is being reworked (not in review); the run pushes a head whose CI is green.
	h.startRun()
	h.gh.SetBranch(fullName, head, sha2)
	h.gh.AddCheckRun(fullName, githubtest.CheckRun{HeadSHA: sha2, Name: "test", Status: "completed", Conclusion: "success"})
	p.ciCycle(ctx)
	rec := ciRec(t, h)
	if rec.Phase != phaseGreen || rec.FixAttempts != 0 || rec.Failure != nil || rec.LastAction != "green_deferred" || h.events.count("ci_ownership_released") != 1 {
		t.Fatalf("after green during the rework: %+v", rec)
	}
}

func TestCrashAtEachWriteAheadStepOfACIFixCompletesItOnce(t *testing.T) {
	for _, at := range []string{"before", "after"} {
		t.Run(at+" the tracker call", func(t *testing.T) {
			h := newHarness(t)
			s := h.settings()
			s.RetryFailedOnce = false
			failCI(h, sha1)
			ct := &countingTracker{Tracker: h.tr, crash: at}
			crashing(t, func() { h.pollers(s, ct, h.st).ciCycle(context.Background()) })
			if got := h.row(pollerCI).Phase; got != pendingPhase(actionCIFix) {
				t.Fatalf("after the crash: phase %q", got)
			}
			restarted := &countingTracker{Tracker: h.tr}
			h.st = h.openStore()
			p := h.pollers(s, restarted, h.st)
			p.ciCycle(context.Background())
			p.ciCycle(context.Background())
			rec := ciRec(t, h)
			if rec.Phase != requestedPhase(actionCIFix) || rec.FixAttempts != 1 || h.state() != "In Progress" {
				t.Fatalf("after the restart: %+v, issue %q", rec, h.state())
			}
			if total := ct.updates + restarted.updates; total != 1 {
				t.Fatalf("tracker updates = %d, want exactly 1", total)
			}
			if h.runContext().CIFailure == nil {
				t.Fatal("the replayed fix lost its CI context")
			}
		})
	}
}
