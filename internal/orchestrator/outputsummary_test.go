package orchestrator

import (
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// A summary closes when a frame comes from another session (a new turn) or a full interval
// after the summary's first frame, never earlier.
func TestOutputSummaryClosesOnSessionOrInterval(t *testing.T) {
	delta := func(session string, after time.Duration) agent.Event {
		return agent.Event{Kind: agent.EventNotification, Method: "item/agentMessage/delta", SessionID: session, Time: epoch.Add(after)}
	}
	cases := []struct {
		name string
		next agent.Event
		due  bool
	}{
		{"same session inside the interval", delta("t-1", outputSummaryInterval-time.Millisecond), false},
		{"same session a full interval later", delta("t-1", outputSummaryInterval), true},
		{"next turn's session", delta("t-2", time.Millisecond), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s outputSummary
			if s.due(delta("t-1", 0)) {
				t.Fatal("an empty summary is due")
			}
			s.add(delta("t-1", 0), []byte(`{"a":1}`))
			if got := s.due(c.next); got != c.due {
				t.Fatalf("due = %v, want %v", got, c.due)
			}
			session, _, details, ok := s.take()
			if !ok || session != "t-1" || details["frames"] != 1 || details["bytes"] != int64(7) {
				t.Fatalf("take = %q %v %v", session, details, ok)
			}
			if _, _, _, ok := s.take(); ok {
				t.Fatal("a taken summary still holds frames")
			}
		})
	}
}

func TestOnlyDeltasAreCoalesced(t *testing.T) {
	cases := []struct {
		ev   agent.Event
		want bool
	}{
		{agent.Event{Kind: agent.EventNotification, Method: "item/commandExecution/outputDelta"}, true},
		{agent.Event{Kind: agent.EventNotification, Method: "item/reasoning/summaryTextDelta"}, true},
		{agent.Event{Kind: agent.EventNotification, Method: "item/completed"}, false},
		{agent.Event{Kind: agent.EventNotification, Method: "item/completed", Activity: activity(agent.ActivityCommand, agent.ActivityDetails{})}, false},
		{agent.Event{Kind: agent.EventTokenUsage, Method: "thread/tokenUsage/updated"}, false},
	}
	for _, c := range cases {
		if got := isStreamedOutput(c.ev); got != c.want {
			t.Errorf("isStreamedOutput(%s) = %v, want %v", c.ev.Method, got, c.want)
		}
	}
}
