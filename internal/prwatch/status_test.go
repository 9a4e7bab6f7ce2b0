package prwatch

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// TestStatusesReadWhatThePollersWrote decodes the rows the pollers themselves stored: a
// rework waiting out its cooldown and a CI row watching pending checks.
func TestStatusesReadWhatThePollersWrote(t *testing.T) {
	h := newHarness(t)
	p := h.pollers(h.settings(), h.tr, h.st)
	ctx := context.Background()
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "please add a test"})
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	p.ciCycle(ctx)
	rows, err := h.st.PRWatches(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Statuses(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("statuses %+v", got)
	}
	ci, review := got[0], got[1]
	if review.Poller != pollerReview || review.Phase != phaseCoolingDown || review.Identifier != "ABC-1" || review.PRURL != h.prURL ||
		review.RepoKey != "web" || review.UpdatedAt.IsZero() {
		t.Errorf("review status %+v", review)
	}
	if ci.Poller != pollerCI || ci.Identifier != "ABC-1" || ci.Phase == "" {
		t.Errorf("ci status %+v", ci)
	}
	if _, err := Statuses(append(rows, storeRow(pollerCI, phaseWatching, []byte(`[1]`)))); err == nil {
		t.Error("a row whose record is not an object decoded without error")
	}
}

// TestEventKindsNameEveryEmittedKind checks the list metrics start at zero against the kinds
// a full pass of both pollers emits.
func TestEventKindsNameEveryEmittedKind(t *testing.T) {
	for _, k := range []string{"rework_requested", "conflict_requested", "merge_requested", "ci_failed", "ci_escalated",
		"conflict_escalated", "rerun_requested", "rework_pushed", "poller_degraded", "pr_merged", "learnings_captured", "learnings_failed"} {
		if !slices.Contains(EventKinds(), k) {
			t.Errorf("EventKinds lacks %s", k)
		}
	}
}

// TestAfterStepSeesEachWriteAheadStepInOrder records the steps a rework reports: the pending
// record first, then the tracker call, and the issue has moved only by the second.
func TestAfterStepSeesEachWriteAheadStepInOrder(t *testing.T) {
	h := newHarness(t)
	s := h.settings()
	s.ReworkDelay = 0
	p := h.pollers(s, h.tr, h.st)
	var steps []string
	p.d.AfterStep = func(_ context.Context, step string) {
		steps = append(steps, step+" with the issue in "+h.state()+", phase "+h.row(pollerReview).Phase)
	}
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "please add a test"})
	h.clock.Advance(time.Minute)
	p.reviewCycle(context.Background())
	want := []string{
		"rework_transition_pending with the issue in In Review, phase rework_transition_pending",
		"rework_tracker_updated with the issue in In Progress, phase rework_transition_pending",
	}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps %q, want %q", steps, want)
	}
}
