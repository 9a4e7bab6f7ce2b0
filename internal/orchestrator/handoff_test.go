package orchestrator

import (
	"context"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

// TestAgentHandOffEndsTheAttemptAsASuccess: when the agent moves its own issue out of the
// active states through a tool, reconciliation lets the turn finish, the attempt is recorded as
// a success, and no continuation or new session follows.
func TestAgentHandOffEndsTheAttemptAsASuccess(t *testing.T) {
	h := newHarness(t)
	gate := make(chan struct{})
	is := newIssue(1, "Todo")
	h.put(is)
	handedOff := is
	handedOff.State = "Human Review"
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{
		Do: func(context.Context, string) error {
			h.put(handedOff)
			return nil
		},
		Emit: []agent.Event{{Kind: agent.EventIssueStateChanged, Message: "Human Review"}},
		Wait: gate,
	}}})
	h.start()
	h.waitFor("the hand-off event", func(s *Snapshot) bool {
		r, ok := s.Find("id-1")
		return ok && r.LastEvent == agent.EventIssueStateChanged
	})
	h.poll()
	s := h.waitFor("reconciliation to see the new state", func(s *Snapshot) bool { r, _ := s.Find("id-1"); return r.State == "Human Review" })
	if r, _ := s.Find("id-1"); r.StopRequested != "" {
		t.Fatalf("reconciliation stopped the attempt that handed its issue off: %s", r.StopRequested)
	}
	close(gate)
	h.waitStatuses("id-1", store.StatusSuccess)
	s = h.waitFor("the issue to leave running", idle("id-1"))
	if len(s.Retrying) != 0 || len(s.Queued) != 0 {
		t.Errorf("a continuation followed the hand-off: retrying %+v queued %+v", s.Retrying, s.Queued)
	}
	if len(s.Watching) != 1 || s.Watching[0].State != "Human Review" {
		t.Errorf("watching = %+v, want the handed-off issue", s.Watching)
	}
	h.poll()
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatalf("sessions after the hand-off = %d, want 1", n)
	}
}

// TestRunRecordCountsToolCalls: the run record counts the scoped tool calls the attempt made
// and how many failed.
func TestRunRecordCountsToolCalls(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "Todo"))
	done := func(kind agent.EventKind, tool string) agent.Event { return agent.Event{Kind: kind, Message: tool} }
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{
		Emit: []agent.Event{
			done(agent.EventToolCallCompleted, "tracker_get_current_issue"),
			done(agent.EventToolCallFailed, "tracker_add_comment"),
			done(agent.EventToolCallCompleted, "tracker_add_comment"),
		},
		Err: &agent.Error{Code: agent.CodeTurnFailed, Message: "scripted failure after the tool calls"},
	}}})
	h.start()
	h.eventually("the finished run", func() bool {
		runs := h.runs("id-1")
		return len(runs) > 0 && !runs[len(runs)-1].EndedAt.IsZero()
	})
	runs := h.runs("id-1")
	first := runs[len(runs)-1]
	if first.ToolCalls != 3 || first.ToolFailures != 1 {
		t.Fatalf("run record counts %d tool calls and %d failures, want 3 and 1", first.ToolCalls, first.ToolFailures)
	}
}

// TestWorkpadIsOwnedByTheIssuesRuns: the workpad Symphony opens, and the one a later attempt
// finds, count as comments of the issue's runs, so the agent may keep them current with its
// comment tools.
func TestWorkpadIsOwnedByTheIssuesRuns(t *testing.T) {
	var mu sync.Mutex
	var owned []string
	h := newHarness(t, func(c *harnessConfig) {
		c.ownComment = func(_ context.Context, issueID, commentID string) error {
			mu.Lock()
			defer mu.Unlock()
			owned = append(owned, issueID+"/"+commentID)
			return nil
		}
	})
	h.startWaiting(newIssue(1, "Todo"))
	// The session is up before the bootstrap opens the workpad, so wait for the workpad too.
	h.eventually("the workpad owned", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(owned) > 0
	})
	comments, err := h.tracker.ListComments(context.Background(), "id-1")
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments = %+v, %v; want the one workpad", comments, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(owned) != 1 || owned[0] != "id-1/"+comments[0].ID {
		t.Fatalf("owned comments = %v, want the workpad id-1/%s", owned, comments[0].ID)
	}
}
