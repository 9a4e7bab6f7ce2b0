package orchestrator

import (
	"fmt"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
)

func TestProgressSlotHoldsOneReportWithTheNewestEvent(t *testing.T) {
	var p progressSlot
	if !p.offer(agent.Event{Message: "one"}) {
		t.Fatal("the first event did not ask for a report")
	}
	for _, m := range []string{"two", "three"} {
		if p.offer(agent.Event{Message: m}) {
			t.Fatalf("event %q asked for a second report while one is on its way", m)
		}
	}
	if ev := p.take(); ev == nil || ev.Message != "three" {
		t.Fatalf("the loop took %+v, want the newest event", ev)
	}
	if ev := p.take(); ev != nil {
		t.Fatalf("a second take found %+v in an empty slot", ev)
	}
	if !p.offer(agent.Event{Message: "four"}) {
		t.Fatal("an event after the take did not ask for a report")
	}
}

// A burst of progress events is folded, but every token delta still reaches the loop and the
// newest progress event is the one the snapshot shows.
func TestProgressBurstsFoldButTokensAllCount(t *testing.T) {
	var emit []agent.Event
	var want int64
	for i := range 3000 {
		emit = append(emit, agent.Event{Kind: agent.EventNotification, Message: fmt.Sprintf("step %d", i)})
		if i%100 == 0 {
			want += int64(i + 1)
			emit = append(emit, agent.Event{Kind: agent.EventTokenUsage, UsageDelta: &agent.TokenUsage{Total: int64(i + 1)}})
		}
	}
	emit = append(emit, agent.Event{Kind: agent.EventNotification, Message: "last step"})
	gate := make(chan struct{})
	defer close(gate)
	h := newHarness(t)
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Emit: emit, Wait: gate}}})
	h.put(newIssue(1, "In Progress"))
	h.start()
	h.waitFor("every token delta and the newest progress", func(s *Snapshot) bool {
		r, ok := s.Find("id-1")
		return ok && r.Tokens.Total == want && r.LastMessage == "last step"
	})
}
