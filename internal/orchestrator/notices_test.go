package orchestrator

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/store"
)

// recordingNotifier keeps every event the loop handed it.
type recordingNotifier struct {
	mu     sync.Mutex
	events []notify.Event
}

func (r *recordingNotifier) Notify(e notify.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// named returns the events called name, in order.
func (r *recordingNotifier) named(name string) []notify.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notify.Event
	for _, e := range r.events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

func (r *recordingNotifier) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Name)
	}
	return out
}

func withNotifier(n Notifier) option { return func(c *harnessConfig) { c.notifier = n } }

func TestFailedRunNotifiesRunFailedWithItsRunAndReason(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withNotifier(n))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 7, Err: agent.Errorf(agent.CodeTurnFailed, "scripted failure")}}})
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	got := n.named("run_failed")
	if len(got) != 1 {
		t.Fatalf("events = %v, want one run_failed", n.names())
	}
	e := got[0]
	h.waitStatuses("id-1", store.StatusFailure)
	runs := h.runs("id-1")
	if e.IssueIdentifier != "ENG-1" || e.RepoKey != "app" || len(runs) != 1 || e.RunID != runs[0].ID || e.Attempt != 0 {
		t.Errorf("event %+v does not name the issue, repository and run %+v", e, runs)
	}
	if e.Tokens == nil || e.Tokens.Total != 7 || e.Metadata["retrying"] != true {
		t.Errorf("event tokens %+v metadata %v", e.Tokens, e.Metadata)
	}
	if !strings.Contains(e.Reason, "scripted failure") {
		t.Errorf("reason %q does not say why the run failed", e.Reason)
	}
}

// TestHandOffNotifiesAwaitingReviewAndDoneNotifiesIssueCompletedOnce: a hand-off is
// awaiting_review; the watched issue reaching a terminal state is issue_completed, once.
func TestHandOffNotifiesAwaitingReviewAndDoneNotifiesIssueCompletedOnce(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withNotifier(n))
	is := newIssue(1, "Todo")
	h.put(is)
	handedOff := is
	handedOff.State = "Human Review"
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{
		Do: func(context.Context, string) error { h.put(handedOff); return nil },
	}}})
	h.start()
	h.waitStatuses("id-1", store.StatusSuccess)
	h.waitFor("the hand-off", func(s *Snapshot) bool { return len(s.Watching) == 1 })
	if got := n.named("awaiting_review"); len(got) != 1 || got[0].State != "Human Review" {
		t.Fatalf("awaiting_review events %+v (all: %v)", got, n.names())
	}
	done := is
	done.State = "Done"
	h.put(done)
	h.poll()
	h.waitFor("the issue to leave watching", func(s *Snapshot) bool { return len(s.Watching) == 0 })
	h.poll()
	got := n.named("issue_completed")
	if len(got) != 1 || got[0].State != "Done" || got[0].RepoKey != "app" {
		t.Fatalf("issue_completed events %+v, want one for Done (all: %v)", got, n.names())
	}
}

func TestBudgetsNotifyBudgetExceededWithTheirScope(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withNotifier(n), withSettings(func(s *Settings) { s.TokensPerIssue = 50; s.TokensPerDay = 80; s.MaxTurns = 5 }))
	h.put(newIssue(1, "In Progress"))
	h.put(newIssue(2, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 60}}})
	h.agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 30}}})
	h.start()
	h.waitStatuses("id-1", store.StatusBudgetExhausted)
	h.waitStatuses("id-2", store.StatusBudgetExhausted)
	h.poll()
	scopes := map[string][]string{}
	for _, e := range n.named("budget_exceeded") {
		scope, _ := e.Metadata["scope"].(string)
		scopes[scope] = append(scopes[scope], e.IssueIdentifier)
	}
	slices.Sort(scopes["issue"])
	if !slices.Equal(scopes["issue"], []string{"ENG-1", "ENG-2"}) {
		t.Errorf("issue-scope budget events for %v, want ENG-1 and ENG-2", scopes["issue"])
	}
	if len(scopes["day"]) != 1 || scopes["day"][0] != "" {
		t.Errorf("day-scope budget events %v, want exactly one, about no issue", scopes["day"])
	}
}

// TestPullRequestLinkInAgentMessageNotifiesPROpenedOncePerRun: the first PR link a run shows
// is audited and notified; repeating it, or a link the issue already had, is not.
func TestPullRequestLinkInAgentMessageNotifiesPROpenedOncePerRun(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withNotifier(n))
	is := newIssue(1, "In Progress")
	is.PRURLs = []string{"https://github.com/acme/app/pull/1"}
	h.put(is)
	gate := make(chan struct{})
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{
		Emit: []agent.Event{
			{Kind: agent.EventToolCallCompleted, Message: "still see https://github.com/acme/app/pull/1"},
			{Kind: agent.EventToolCallCompleted, Message: "opened https://github.com/acme/app/pull/42 for review"},
			{Kind: agent.EventToolCallCompleted, Message: "again https://github.com/acme/app/pull/42"},
		},
		Wait: gate,
	}}})
	h.start()
	h.eventually("pr_opened", func() bool { return len(n.named("pr_opened")) > 0 })
	close(gate)
	h.waitStatuses("id-1", store.StatusSuccess)
	got := n.named("pr_opened")
	if len(got) != 1 || got[0].PRURL != "https://github.com/acme/app/pull/42" {
		t.Fatalf("pr_opened events %+v", got)
	}
	if !slices.Contains(h.auditTypes("ENG-1"), "pr_opened") {
		t.Errorf("no pr_opened audit record: %v", h.auditTypes("ENG-1"))
	}
}

func TestEveryFailedAttemptNotifiesRunFailed(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withNotifier(n))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeTurnFailed, "boom")}}})
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	h.advance(10 * time.Second)
	h.waitStatuses("id-1", store.StatusFailure, store.StatusFailure)
	got := n.named("run_failed")
	if len(got) != 2 || got[0].Attempt != 0 || got[1].Attempt != 1 {
		t.Fatalf("run_failed events %+v, want one per failed attempt", got)
	}
}
