package orchestrator

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

func TestBootstrapMovesTodoAndKeepsOneWorkpadAcrossAttempts(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.PollInterval = time.Hour }))
	h.put(newIssue(1, "Todo"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeTurnFailed, "try again")}, {}}})
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	h.advance(10 * time.Second)
	h.waitStatuses("id-1", store.StatusFailure, store.StatusSuccess)
	ctx := context.Background()
	is, err := h.tr.FetchIssueByIdentifier(ctx, "ENG-1")
	if err != nil || is.State != "In Progress" {
		t.Fatalf("state %q (%v), want In Progress", is.State, err)
	}
	comments, err := h.tr.ListComments(ctx, "id-1")
	if err != nil {
		t.Fatal(err)
	}
	workpads := 0
	for _, c := range comments {
		if strings.HasPrefix(c.Body, "## Codex Workpad") {
			workpads++
		}
	}
	if workpads != 1 || len(comments) != 1 {
		t.Fatalf("%d workpads among %d comments after two attempts, want exactly one", workpads, len(comments))
	}
	for _, section := range []string{"### Plan", "### Acceptance criteria", "### Validation", "### Notes", "2026-03-10T12:00:00Z"} {
		if !strings.Contains(comments[0].Body, section) {
			t.Errorf("workpad lacks %q:\n%s", section, comments[0].Body)
		}
	}
	h.eventually("the bootstrap in the audit log", func() bool {
		types := h.auditTypes("ENG-1")
		return contains(types, "tracker_state_changed") && contains(types, "tracker_comment") && contains(types, "prompt_sent")
	})
}

func TestBootstrapReusesAnotherRuntimesWorkpad(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.AgentKind = "claude" }))
	h.put(newIssue(1, "In Progress"))
	ctx := context.Background()
	if _, err := h.tr.CreateComment(ctx, "id-1", "a human note"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tr.CreateComment(ctx, "id-1", "\n## Codex Workpad\n\n- [x] plan from an earlier Codex run"); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.waitStatuses("id-1", store.StatusSuccess)
	comments, err := h.tr.ListComments(ctx, "id-1")
	if err != nil || len(comments) != 2 {
		t.Fatalf("%d comments (%v), want the two that existed", len(comments), err)
	}
}

func TestBootstrapFailureIsRetriedWithoutRunningTurns(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.PollInterval = time.Hour }))
	h.put(newIssue(1, "Todo"))
	// The poll and the bootstrap's state update: fail the update only.
	h.tr.FailNext(nil, errTest("linear is down"))
	h.start()
	s := h.waitFor("the retry", retrying("id-1", 1))
	if r, _ := s.Retry("id-1"); !strings.Contains(r.Error, "tracker bootstrap") || !strings.Contains(r.Error, "linear is down") {
		t.Fatalf("retry error %q", r.Error)
	}
	if got := h.agents.SessionsFor("ENG-1")[0].Prompts(); len(got) != 0 {
		t.Fatalf("turns ran after a failed bootstrap: %d", len(got))
	}
}

func TestHumanAttentionFailureIsHeldNotRetried(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodeToolFailureLoop, "same command failed 5 times")}}})
	h.start()
	s := h.waitFor("the hold", func(s *Snapshot) bool { return len(s.Held) == 1 && idle("id-1")(s) })
	if !strings.Contains(s.Held[0].Reason, "human attention") {
		t.Fatalf("held for %q", s.Held[0].Reason)
	}
}

func TestGracefulShutdownStopsAgentsRunsAfterRunAndRecordsInterruption(t *testing.T) {
	hooks, afterRuns := afterRunHook(t)
	h := newHarness(t, func(c *harnessConfig) { c.hooks = hooks })
	for n := 1; n <= 2; n++ {
		h.put(newIssue(n, "In Progress"))
		h.agents.Script(newIssue(n, "").Identifier, agenttest.Script{Turns: []agenttest.Turn{{Block: true}}})
	}
	h.start()
	h.waitFor("both sessions", func(s *Snapshot) bool { return started("id-1")(s) && started("id-2")(s) })
	begin := time.Now()
	h.shutdown()
	if took := time.Since(begin); took > 5*time.Second {
		t.Fatalf("shutdown took %s", took)
	}
	for _, s := range h.agents.Sessions() {
		if !s.Stopped() {
			t.Errorf("session of %s still running after shutdown", s.Identifier())
		}
	}
	if log := afterRuns(); !strings.Contains(log, "ENG-1") || !strings.Contains(log, "ENG-2") {
		t.Errorf("after_run log %q lacks an issue", log)
	}
	for _, id := range []string{"id-1", "id-2"} {
		if got := h.runStatuses(id); len(got) != 1 || got[0] != store.StatusInterrupted {
			t.Errorf("%s runs %v, want one interrupted run written before Run returned", id, got)
		}
	}
}

func TestLogLinesCarryIssueAndSessionFields(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "In Progress"))
	h.start()
	h.waitStatuses("id-1", store.StatusSuccess)
	h.shutdown()
	var sawCompleted bool
	for line := range strings.Lines(h.logs.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "completed" {
			sawCompleted = true
			for _, key := range []string{"issue_id", "issue_identifier", "repo_key", "session_id"} {
				if v, _ := rec[key].(string); v == "" {
					t.Errorf("completed line lacks %s: %s", key, line)
				}
			}
		}
	}
	if !sawCompleted {
		t.Fatal("no completed line was logged")
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
