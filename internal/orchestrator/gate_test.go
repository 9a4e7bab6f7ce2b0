package orchestrator

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/store"
)

// scriptedScorer is a gate.Provider that scores an issue 2 while its prompt says "vague",
// 4 while it says "unclear" (until a comment answers "answer:"), and 9 otherwise.
type scriptedScorer struct {
	mu    sync.Mutex
	calls int
}

func (s *scriptedScorer) Score(_ context.Context, _, user string) (gate.Reply, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	score := 9
	switch {
	case strings.Contains(user, "vague"):
		score = 2
	case strings.Contains(user, "unclear") && !strings.Contains(user, "answer:"):
		score = 4
	}
	return gate.Reply{Text: fmt.Sprintf(`{"score": %d, "reason": "scripted", "questions": ["Which endpoint?"]}`, score),
		Usage: gate.Usage{InputTokens: 100, OutputTokens: 10}}, nil
}

func (s *scriptedScorer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// gateRecorder is an Observer that also records gate rounds.
type gateRecorder struct {
	noObserver
	mu     sync.Mutex
	rounds []GateRound
}

func (g *gateRecorder) OnGate(r GateRound) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rounds = append(g.rounds, r)
}

func (g *gateRecorder) total() GateRound {
	g.mu.Lock()
	defer g.mu.Unlock()
	var t GateRound
	for _, r := range g.rounds {
		t.Calls += r.Calls
		t.Usage.InputTokens += r.Usage.InputTokens
		t.Usage.OutputTokens += r.Usage.OutputTokens
	}
	return t
}

func withGate(scorer *scriptedScorer, floor *int) option {
	return func(c *harnessConfig) {
		c.gate = func(h *harness) *gate.Gate {
			cfg := config.IssueGate{Enabled: true, Provider: gate.ProviderAnthropic, Model: "m", PassThreshold: 6,
				ClarificationFloor: floor, MaxClarificationRounds: 2, OnError: "pass"}
			g, err := gate.New(cfg, gate.Deps{Cache: gate.NewKVCache(h.store), Commenter: h.tr, Provider: scorer, Now: h.clock.Now})
			if err != nil {
				h.t.Fatal(err)
			}
			return g
		}
	}
}

func (h *harness) commentBodies(issueID string) []string {
	h.t.Helper()
	cs, err := h.tr.ListComments(context.Background(), issueID)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Body)
	}
	return out
}

func TestGateHoldsVagueIssuesAndDispatchesClearOnes(t *testing.T) {
	scorer := &scriptedScorer{}
	obs := &gateRecorder{}
	h := newHarness(t, withGate(scorer, nil), func(c *harnessConfig) { c.observer = obs })
	clear, vague := newIssue(1, "Todo"), newIssue(2, "Todo")
	clear.Description = "Add a retry to the uploader; it must retry three times."
	vague.Description = "make it better somehow (vague)"
	h.put(clear)
	h.put(vague)
	h.start()
	h.waitFor("the clear issue to start and the vague one to be skipped", func(s *Snapshot) bool {
		_, running := s.Find(clear.ID)
		return (running || len(h.runs(clear.ID)) > 0) && len(s.Skipped) == 1
	})
	s := h.o.Snapshot()
	if got := s.Skipped[0]; got.Identifier != "ENG-2" || got.Score != 2 || got.Reason != "scripted" {
		t.Errorf("skipped row %+v", got)
	}
	comments := h.commentBodies(vague.ID)
	if len(comments) != 1 || !strings.HasPrefix(comments[0], "Symphony quality gate: skipped (score 2 < threshold 6).") {
		t.Fatalf("vague issue comments %q", comments)
	}
	for range 3 {
		h.poll()
	}
	if runs := h.runs(vague.ID); len(runs) != 0 {
		t.Fatalf("the skipped issue was dispatched: %+v", runs)
	}
	if n := scorer.count(); n != 2 {
		t.Errorf("model calls after four polls of two unchanged issues: %d, want 2 (the cache answers the rest)", n)
	}
	if n := len(h.commentBodies(vague.ID)); n != 1 {
		t.Errorf("vague issue has %d comments, want the one skip comment", n)
	}
	if got := obs.total(); got.Calls != 2 || got.Usage.InputTokens != 200 || got.Usage.OutputTokens != 20 {
		t.Errorf("observed gate spend %+v", got)
	}
	// The snapshot can show the clear issue running before the recorder has stored its run.
	h.eventually("the clear issue's run to be stored", func() bool { return len(h.runs(clear.ID)) > 0 })
}

func TestGateClarificationThenAnswerDispatches(t *testing.T) {
	scorer := &scriptedScorer{}
	floor := 3
	h := newHarness(t, withGate(scorer, &floor))
	is := newIssue(1, "Todo")
	is.Description = "unclear scope"
	h.put(is)
	h.start()
	s := h.waitFor("the issue to await clarification", func(s *Snapshot) bool { return len(s.AwaitingClarification) == 1 })
	row := s.AwaitingClarification[0]
	if row.RoundsAsked != 1 || len(row.Questions) != 1 || row.Questions[0] != "Which endpoint?" {
		t.Errorf("awaiting row %+v", row)
	}
	comments := h.commentBodies(is.ID)
	if len(comments) != 1 || !strings.Contains(comments[0], "clarification requested (score 4 < pass_threshold 6; round 1/2)") {
		t.Fatalf("comments %q", comments)
	}
	h.poll()
	if len(h.runs(is.ID)) != 0 || scorer.count() != 1 {
		t.Fatalf("unchanged issue re-scored or dispatched: calls %d runs %d", scorer.count(), len(h.runs(is.ID)))
	}
	if _, err := h.tr.CreateComment(context.Background(), is.ID, "answer: the /upload endpoint"); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.waitFor("the answered issue to be dispatched", func(s *Snapshot) bool {
		_, running := s.Find(is.ID)
		return (running || len(h.runs(is.ID)) > 0) && len(s.AwaitingClarification) == 0
	})
	if scorer.count() != 2 {
		t.Errorf("model calls %d, want 2 (the human answer invalidated the cache)", scorer.count())
	}
}

func TestGateSpendsNothingWhilePaused(t *testing.T) {
	scorer := &scriptedScorer{}
	h := newHarness(t, withGate(scorer, nil))
	if err := h.store.SetPause(context.Background(), store.Pause{Paused: true, Reason: "maintenance", Since: epoch}); err != nil {
		t.Fatal(err)
	}
	h.put(newIssue(1, "Todo"))
	h.start()
	h.poll()
	if n := scorer.count(); n != 0 {
		t.Fatalf("the gate called the model %d times while dispatch was paused", n)
	}
	if err := h.o.Resume(); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.waitFor("the issue to run after resume", func(s *Snapshot) bool {
		_, running := s.Find("id-1")
		return running || len(h.runs("id-1")) > 0
	})
	if n := scorer.count(); n != 1 {
		t.Errorf("model calls after resume %d, want 1", n)
	}
}
