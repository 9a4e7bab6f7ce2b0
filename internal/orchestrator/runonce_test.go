package orchestrator

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

// runOnce runs RunOnce in the background, advancing the fake clock by step whenever the
// lifecycle is waiting with a turn under way or behind it, until it returns.
func (h *harness) runOnce(identifier string, opts RunOptions, step time.Duration) (Result, error) {
	turnStarted := func() bool {
		for _, s := range h.agents.SessionsFor(identifier) {
			if len(s.Prompts()) > 0 {
				return true
			}
		}
		return false
	}
	h.t.Helper()
	type out struct {
		res Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := RunOnce(context.Background(), h.deps(), identifier, opts)
		done <- out{res, err}
	}()
	deadline := time.After(waitLimit)
	for {
		select {
		case o := <-done:
			return o.res, o.err
		case <-deadline:
			h.t.Fatal("RunOnce did not return")
		case <-time.After(2 * time.Millisecond):
			if step > 0 && h.clock.Pending() > 0 && turnStarted() {
				h.clock.Advance(step)
			}
		}
	}
}

func TestRunOnceOutcomesAndExitCodes(t *testing.T) {
	failing := agenttest.Script{Turns: []agenttest.Turn{{Err: agent.Errorf(agent.CodePortExit, "codex exited with status 1")}}}
	cases := []struct {
		name         string
		script       agenttest.Script
		opts         RunOptions
		step         time.Duration
		wantOutcome  Outcome
		wantAttempts int
		wantStatus   store.Status
	}{
		{"success", agenttest.Script{}, RunOptions{}, 0, OutcomeSuccess, 1, store.StatusSuccess},
		{"failure after bounded retries", failing, RunOptions{MaxRetries: 2}, 10 * time.Second, OutcomeFailed, 3, store.StatusFailure},
		{"no retry", failing, RunOptions{NoRetry: true}, 10 * time.Second, OutcomeFailed, 1, store.StatusFailure},
		{"timeout", agenttest.Script{Turns: []agenttest.Turn{{Block: true}}}, RunOptions{Timeout: 30 * time.Minute}, 30 * time.Minute, OutcomeTimeout, 1, store.StatusTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.put(newIssue(1, "Todo"))
			h.agents.Script("ENG-1", c.script)
			res, err := h.runOnce("ENG-1", c.opts, c.step)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != c.wantOutcome || res.Attempts != c.wantAttempts {
				t.Fatalf("outcome %s attempts %d (err %v); want %s %d", res.Outcome, res.Attempts, res.Err, c.wantOutcome, c.wantAttempts)
			}
			statuses := h.runStatuses("id-1")
			if len(statuses) != c.wantAttempts || statuses[len(statuses)-1] != c.wantStatus {
				t.Fatalf("run records %v, want %d ending in %s", statuses, c.wantAttempts, c.wantStatus)
			}
			if res.Issue.State != "In Progress" {
				t.Errorf("issue state %q after the bootstrap, want In Progress", res.Issue.State)
			}
			for _, s := range h.agents.Sessions() {
				if !s.Stopped() {
					t.Error("a session was left running")
				}
			}
		})
	}
}

func TestRunOnceRejectsWhatItCannotRun(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "Done"))
	cases := []struct {
		identifier string
		opts       RunOptions
		want       string
	}{
		{"ENG-404", RunOptions{}, "issue_not_found"},
		{"ENG-1", RunOptions{}, "not one of the active states"},
		{"ENG-1", RunOptions{MaxRetries: -1}, "negative"},
	}
	for _, c := range cases {
		_, err := RunOnce(context.Background(), h.deps(), c.identifier, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RunOnce(%s, %+v) = %v, want an error mentioning %q", c.identifier, c.opts, err, c.want)
		}
	}
	d := h.deps()
	d.Tracker = nil
	if _, err := RunOnce(context.Background(), d, "ENG-1", RunOptions{}); err == nil || !strings.Contains(err.Error(), "Tracker") {
		t.Errorf("missing tracker: %v", err)
	}
}

func TestRunOnceRefusesAnIssueSeveralRoutesClaim(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) {
		c.routes = []tracker.Route{{Key: "web", Labels: []string{"web"}}, {Key: "api", Labels: []string{"api"}}}
	})
	is := newIssue(1, "Todo")
	is.Labels = []string{"web", "api"}
	h.put(is)
	_, err := RunOnce(context.Background(), h.deps(), "ENG-1", RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "several repository routes [api web]") {
		t.Fatalf("RunOnce on a conflict: %v", err)
	}
	if h.agents.Starts() != 0 {
		t.Fatal("an agent started for a conflicting issue")
	}
}

func TestBudgetWarningIsLoggedAtStart(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) {
		s.Warnings = []string{"a token budget is set but agent.command may not report token usage"}
	}))
	if _, err := New(h.deps()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "may not report token usage") {
		t.Fatalf("warning not logged: %s", h.logs.String())
	}
}

func TestRunOnceRespectsTheDailyBudget(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.TokensPerDay = 100 }))
	h.put(newIssue(1, "Todo"))
	if err := h.store.AddUsage(context.Background(), store.Usage{RepoKey: "app", IssueID: "id-0", At: epoch, Tokens: store.Tokens{Total: 100}}); err != nil {
		t.Fatal(err)
	}
	_, err := RunOnce(context.Background(), h.deps(), "ENG-1", RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "tokens_per_day 100") {
		t.Fatalf("RunOnce over the daily budget: %v", err)
	}
	if h.agents.Starts() != 0 {
		t.Fatal("an agent started over the daily budget")
	}
}

// symphony run records an attempt while it runs, not only once it ends, so a crash mid-attempt
// still leaves the run row and the audit trail of the turn.
func TestRunOnceRecordsTheAttemptWhileItRuns(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "Todo"))
	gate := make(chan struct{})
	h.agents.Script("ENG-1", scriptWait(gate))
	done := make(chan error, 1)
	go func() {
		_, err := RunOnce(context.Background(), h.deps(), "ENG-1", RunOptions{})
		done <- err
	}()
	deadline := time.Now().Add(waitLimit)
	for {
		runs := h.runs("id-1")
		types := strings.Join(h.auditTypes("ENG-1"), " ")
		if len(runs) == 1 && runs[0].Status == store.StatusRunning && strings.Contains(types, "run_started") && strings.Contains(types, "prompt_sent") {
			break
		}
		if time.Now().After(deadline) {
			close(gate)
			t.Fatalf("during the turn: runs %v, audit %q; want a running run, run_started and prompt_sent", runs, types)
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(gate)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("RunOnce did not return")
	}
	if got := h.runStatuses("id-1"); len(got) != 1 || got[0] != store.StatusSuccess {
		t.Fatalf("run records %v after the run, want one success", got)
	}
}

// hungLookup is a tracker whose issue lookup answers only when its context ends.
type hungLookup struct{ tracker.Tracker }

func (hungLookup) FetchIssueByIdentifier(ctx context.Context, _ string) (issue.Issue, error) {
	<-ctx.Done()
	return issue.Issue{}, ctx.Err()
}

// Without --timeout, symphony run still bounds its tracker calls by the tracker timeout.
func TestRunOnceBoundsTrackerCalls(t *testing.T) {
	h := newHarness(t,
		withSettings(func(s *Settings) { s.TrackerTimeout = 20 * time.Millisecond }),
		func(c *harnessConfig) { c.wrap = func(tr tracker.Tracker) tracker.Tracker { return hungLookup{tr} } })
	done := make(chan error, 1)
	go func() {
		_, err := RunOnce(context.Background(), h.deps(), "ENG-1", RunOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("RunOnce error %v, want the lookup's deadline", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("RunOnce waited on a hung tracker past the tracker timeout")
	}
}
