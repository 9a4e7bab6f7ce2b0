package prwatch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// fakeLearner records what the review poller hands it and fails the first failures calls.
type fakeLearner struct {
	mu       sync.Mutex
	failures int
	calls    []Merged
	captured map[string]bool
}

func (f *fakeLearner) learn(_ context.Context, m Merged) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, m)
	if f.failures > 0 {
		f.failures--
		return "", errors.New("provider unavailable")
	}
	if f.captured[m.PRURL] {
		return "", nil
	}
	f.captured[m.PRURL] = true
	return "2 rules stored", nil
}

func (f *fakeLearner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (h *harness) learningPollers(l *fakeLearner) *Pollers {
	h.t.Helper()
	p, err := New(Deps{Settings: h.settings(), Tracker: h.tr, Store: h.st, Clock: h.clock, Events: h.events.add, Learn: l.learn,
		GitHubFor: func(github.Repo) (GitHub, error) { return h.client, nil }})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// TestMergedPullRequestIsReflectedOnOnceAfterFailures: the merge is seen once, so a failed
// reflection is tried again with back-off until it succeeds; then never again in this
// process, and a restarted poller's single re-check finds it captured without an event.
func TestMergedPullRequestIsReflectedOnOnceAfterFailures(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	l := &fakeLearner{failures: 2, captured: map[string]bool{}}
	p := h.learningPollers(l)
	p.reviewCycle(ctx)
	if l.count() != 0 {
		t.Fatalf("an open pull request was reflected on: %+v", l.calls)
	}
	h.gh.AddReview(fullName, githubtest.Review{Number: 1, Author: "alice", State: "APPROVED", Body: "Use the shared logger next time.",
		SubmittedAt: h.clock.Now()})
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	p.reviewCycle(ctx) // sees the merge and reflects at once: the first failure
	if l.count() != 1 {
		t.Fatalf("after the merge: %d reflections, want 1", l.count())
	}
	p.reviewCycle(ctx)
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	if l.count() != 1 {
		t.Fatalf("a failed reflection was retried before its back-off: %d calls", l.count())
	}
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx) // two minutes after the first: the second failure
	h.clock.Advance(4 * time.Minute)
	p.reviewCycle(ctx) // success
	for range 3 {
		h.clock.Advance(time.Hour)
		p.reviewCycle(ctx)
	}
	if l.count() != 3 || h.events.count("learnings_captured") != 1 || h.events.count("learnings_failed") != 0 {
		t.Fatalf("%d reflections, events %v; want 3 calls (two failures, one success) and one learnings_captured", l.count(), h.events.kinds)
	}
	got := l.calls[2]
	if got.PRURL != h.prURL || got.RepoKey != "web" || got.IssueID != "i1" || got.Identifier != "ABC-1" || got.PR.Title != "Fix it" {
		t.Fatalf("merged pull request handed over as %+v", got)
	}
	if len(got.Discussion) != 1 || !strings.HasPrefix(got.Discussion[0], "alice (review, APPROVED): Use the shared logger") {
		t.Fatalf("discussion = %q", got.Discussion)
	}
	restarted := h.learningPollers(l)
	restarted.reviewCycle(ctx)
	restarted.reviewCycle(ctx)
	if l.count() != 4 || h.events.count("learnings_captured") != 1 {
		t.Fatalf("after a restart: %d reflections, events %v; want one re-check and no new event", l.count(), h.events.kinds)
	}
}

// TestReflectionGivesUpAfterItsAttempts: a provider that never answers costs a bounded number
// of calls and one learnings_failed event.
func TestReflectionGivesUpAfterItsAttempts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	l := &fakeLearner{failures: 1000, captured: map[string]bool{}}
	p := h.learningPollers(l)
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	for range 40 {
		p.reviewCycle(ctx)
		h.clock.Advance(time.Hour)
	}
	if l.count() != maxLearnAttempts || h.events.count("learnings_failed") != 1 {
		t.Fatalf("%d reflections and events %v; want %d calls and one learnings_failed", l.count(), h.events.kinds, maxLearnAttempts)
	}
}
