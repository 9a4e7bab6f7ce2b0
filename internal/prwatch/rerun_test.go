package prwatch

import (
	"context"
	"testing"
)

// TestCrashAtEachWriteAheadStepOfARerunRerunsOnce stops the CI poller, as a kill would, after
// the pending rerun is stored and after GitHub was asked; the restarted poller asks GitHub
// only when it had not been asked yet, so the failed jobs are rerun exactly once, and the
// next failure goes on to a fix run.
func TestCrashAtEachWriteAheadStepOfARerunRerunsOnce(t *testing.T) {
	for _, at := range []string{"rerun_transition_pending", "rerun_jobs_requested"} {
		t.Run(at, func(t *testing.T) {
			h := newHarness(t)
			s := h.settings()
			run := failCI(h, sha1)
			crashed := h.pollers(s, h.tr, h.st)
			crashed.d.AfterStep = func(_ context.Context, step string) {
				if step == at {
					panic(errCrash)
				}
			}
			crashing(t, func() { crashed.ciCycle(context.Background()) })
			if got := h.row(pollerCI).Phase; got != pendingPhase(actionRerun) {
				t.Fatalf("after the crash: phase %q", got)
			}
			h.st = h.openStore()
			p := h.pollers(s, h.tr, h.st)
			p.ciCycle(context.Background())
			if n := h.gh.Reruns(fullName, run.ID); n != 1 {
				t.Fatalf("after the restart the failed jobs were rerun %d times, want 1", n)
			}
			rec := ciRec(t, h)
			if len(rec.RerunRunIDs) != 1 || rec.RerunRunIDs[0] != run.ID || len(rec.PendingReruns) != 0 {
				t.Fatalf("after the restart: %+v", rec)
			}
			if rec.Phase != requestedPhase(actionCIFix) || h.state() != "In Progress" || h.events.count(phaseRerunRequested) != 1 {
				t.Fatalf("the failure after the rerun: phase %q, issue %q, events %v", rec.Phase, h.state(), h.events.kinds)
			}
		})
	}
}
