package orchestrator

import (
	"fmt"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
)

func TestProgressSlotHoldsOneReportWithTheNewestEvent(t *testing.T) {
	var p progressSlot
	if !p.offer(&agent.Event{Message: "one"}, 1, "") {
		t.Fatal("the first event did not ask for a report")
	}
	for i, m := range []string{"two", "three"} {
		if p.offer(&agent.Event{Message: m}, uint64(2+i), "") {
			t.Fatalf("event %q asked for a second report while one is on its way", m)
		}
	}
	if ev, seq := p.take(); ev == nil || ev.Message != "three" || seq != 3 {
		t.Fatalf("the loop took %+v (%d), want the newest event", ev, seq)
	}
	if ev, _ := p.take(); ev != nil {
		t.Fatalf("a second take found %+v in an empty slot", ev)
	}
	if !p.offer(&agent.Event{Message: "four"}, 4, "") {
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

// A progress report the loop takes late carries an event newer than a direct report queued
// behind it; handling that direct report afterwards must not turn the shown event back.
func TestLateProgressReportIsNotOverwrittenByOlderEvents(t *testing.T) {
	o := &Orchestrator{clock: SystemClock{}, running: map[string]*runEntry{}}
	o.running["id-1"] = &runEntry{runID: "run-1"}
	sink := &eventSink{job: attemptJob{runID: "run-1", issue: newIssue(1, "In Progress")}, w: &worker{d: Deps{Clock: SystemClock{}}}}
	var sent []workerUpdate
	for _, ev := range []agent.Event{
		{Kind: agent.EventNotification, Message: "first progress"},
		{Kind: agent.EventSessionStarted, SessionID: "s-1", Message: "session started"},
		{Kind: agent.EventNotification, Message: "newest progress"},
	} {
		if u, send := sink.toLoop(&ev); send {
			sent = append(sent, u)
		}
	}
	if len(sent) != 2 || sent[0].progress == nil || sent[1].event == nil {
		t.Fatalf("reports %+v, want the progress report then the session's", sent)
	}
	for _, u := range sent {
		o.onUpdate(u)
	}
	if e := o.running["id-1"]; e.lastMessage != "newest progress" || e.sessionID != "s-1" {
		t.Fatalf("shown event %q (session %q), want the newest progress on session s-1", e.lastMessage, e.sessionID)
	}
}
