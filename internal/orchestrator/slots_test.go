package orchestrator

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

// turnGates lets a test end each issue's turns one at a time: every turn blocks until the test
// calls finish for its issue (or the attempt is cancelled).
type turnGates struct {
	t     *testing.T
	gates map[string]chan struct{}
}

func newTurnGates(t *testing.T, h *harness, identifiers ...string) *turnGates {
	g := &turnGates{t: t, gates: map[string]chan struct{}{}}
	for _, id := range identifiers {
		ch := make(chan struct{})
		g.gates[id] = ch
		h.agents.Script(id, agenttest.Script{Turns: []agenttest.Turn{{Do: func(ctx context.Context, _ string) error {
			select {
			case <-ch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}}})
	}
	return g
}

// finish ends the turn identifier's session is in.
func (g *turnGates) finish(identifier string) {
	g.t.Helper()
	select {
	case g.gates[identifier] <- struct{}{}:
	case <-time.After(waitLimit):
		g.t.Fatalf("%s never reached a turn to finish", identifier)
	}
}

// rankedIssues are five active issues whose dispatch order (priority, then age) differs from
// their numbering: ENG-2 (priority 1), ENG-4 and ENG-5 (priority 2, ENG-4 older), ENG-1
// (priority 3), ENG-3 (no priority).
func rankedIssues() []issue.Issue {
	prios := map[int]*int{1: intp(3), 2: intp(1), 3: nil, 4: intp(2), 5: intp(2)}
	var out []issue.Issue
	for n := 1; n <= 5; n++ {
		is := newIssue(n, "In Progress")
		is.Priority = prios[n]
		out = append(out, is)
	}
	return out
}

func queuedNames(s *Snapshot) string {
	var names []string
	for _, q := range s.Queued {
		name := q.Identifier
		if q.Continuation {
			name += "(continuation)"
		}
		names = append(names, name)
	}
	return strings.Join(names, " ")
}

func runningNames(s *Snapshot) string {
	var names []string
	for _, r := range s.Running {
		names = append(names, r.Identifier)
	}
	return strings.Join(names, " ")
}

// Five issues compete for two slots with continuations on. Every freed slot goes, at the
// instant it frees, to the best-ranked waiting issue; continuations wait in the same order as
// everyone else; waiting is never a failure, a backoff or a new attempt.
func TestFreedSlotsGoToTheBestRankedWaitingIssueAtOnce(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.MaxTotal = 2; s.MaxTurns = 1 }))
	issues := rankedIssues()
	for _, is := range issues {
		h.put(is)
	}
	turns := newTurnGates(t, h, "ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5")
	h.start()

	// step waits until the running and queued issues are exactly as listed. The fake clock
	// only ever moves by the continuation delay, far short of the 30 s poll interval, so every
	// dispatch after the first poll happened when a slot freed, not at a poll.
	step := func(what, running, queued string) *Snapshot {
		t.Helper()
		s := h.waitFor(what, func(s *Snapshot) bool {
			return runningNames(s) == running && queuedNames(s) == queued
		})
		if !s.LastPollAt.Equal(epoch) {
			t.Fatalf("%s: a poll ran at %s; the test means to show dispatch without one", what, s.LastPollAt)
		}
		return s
	}
	// continuationDue fires the pending continuation of identifier.
	continuationDue := func(identifier string) {
		t.Helper()
		s := h.waitFor(identifier+"'s continuation", func(s *Snapshot) bool {
			for _, r := range s.Retrying {
				if r.Identifier == identifier {
					return true
				}
			}
			return false
		})
		for _, r := range s.Retrying {
			if !r.Continuation || r.Error != "" || r.Attempt != 1 || !r.DueAt.Equal(h.clock.Now().Add(continuationDelay)) {
				t.Fatalf("retry row %+v; want only continuations, attempt 1, due in %s", r, continuationDelay)
			}
		}
		h.advance(continuationDelay)
	}

	s := step("the first dispatch", "ENG-2 ENG-4", "ENG-5 ENG-1 ENG-3")
	if line := s.StatusLine(); !strings.HasPrefix(line, "running 2/2: ENG-2 ENG-4 · queued 3 · retrying 0") {
		t.Fatalf("status line %q does not name the running issues and the queue", line)
	}

	turns.finish("ENG-4")
	step("ENG-5 to take ENG-4's slot", "ENG-2 ENG-5", "ENG-1 ENG-3")
	continuationDue("ENG-4")
	// ENG-4 outranks the waiting ENG-1 and ENG-3, so its continuation queues ahead of them.
	step("ENG-4's continuation to wait for a slot", "ENG-2 ENG-5", "ENG-4(continuation) ENG-1 ENG-3")

	// ENG-2 drops to priority 4 while it runs, so its continuation ranks behind ENG-1.
	demoted := issues[1]
	demoted.Priority = intp(4)
	h.put(demoted)
	turns.finish("ENG-2")
	step("ENG-4's continuation to take ENG-2's slot", "ENG-4 ENG-5", "ENG-1 ENG-3")
	continuationDue("ENG-2")
	step("ENG-2's continuation to queue behind ENG-1", "ENG-4 ENG-5", "ENG-1 ENG-2(continuation) ENG-3")

	turns.finish("ENG-5")
	step("ENG-1, not ENG-2's continuation, to take ENG-5's slot", "ENG-1 ENG-4", "ENG-2(continuation) ENG-3")

	var order []string
	for _, l := range logLines(t, h.logs.String(), "dispatching") {
		order = append(order, fmt.Sprintf("%s/%v", l["issue_identifier"], l["attempt"]))
	}
	if want := []string{"ENG-2/0", "ENG-4/0", "ENG-5/0", "ENG-4/1", "ENG-1/0"}; !slices.Equal(order, want) {
		t.Fatalf("dispatch order %v, want %v", order, want)
	}
	if n := len(logLines(t, h.logs.String(), "retrying")); n != 0 {
		t.Fatalf("%d retrying lines; waiting for a slot is not a failure:\n%s", n, h.logs.String())
	}
	if got := len(logLines(t, h.logs.String(), "continuing")); got != 3 {
		t.Fatalf("%d continuing lines, want one for each normal exit (ENG-4, ENG-2, ENG-5)", got)
	}
	h.eventually("the durable continuation rows", func() bool {
		rows, err := h.store.Retries(context.Background())
		if err != nil || len(rows) != 2 {
			return false
		}
		for _, r := range rows {
			if r.Attempt != 1 || r.Error != "" {
				t.Fatalf("durable retry row %+v; want continuations only", r)
			}
		}
		return true
	})
}

// holdFirstPoll makes the service's candidate polls wait until release is closed, while the
// retry checks (FetchCandidates) answer at once.
type holdFirstPoll struct {
	tracker.Tracker
	release chan struct{}
}

func (p *holdFirstPoll) FetchRouteCandidates(ctx context.Context, key string) ([]issue.Issue, error) {
	select {
	case <-p.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return p.Tracker.FetchRouteCandidates(ctx, key)
}

// After a restart the restored continuations come due at once, possibly before the first poll
// has answered. They must not take the slots ahead of better-ranked issues that poll reports.
func TestRestoredContinuationsDoNotRunAheadOfTheFirstPoll(t *testing.T) {
	state := t.TempDir()
	seed := newHarness(t, func(c *harnessConfig) { c.stateRoot = state })
	for _, is := range []issue.Issue{rankedIssues()[0], rankedIssues()[2]} {
		row := store.Retry{RepoKey: "app", IssueID: is.ID, Identifier: is.Identifier, Attempt: 1, DueAt: epoch.Add(-time.Minute)}
		if err := seed.store.PutRetry(context.Background(), row); err != nil {
			t.Fatal(err)
		}
	}
	seed.closeDurable()

	hold := &holdFirstPoll{release: make(chan struct{})}
	h := newHarness(t, func(c *harnessConfig) {
		c.stateRoot = state
		c.settings.MaxTotal = 2
		c.wrap = func(tr tracker.Tracker) tracker.Tracker { hold.Tracker = tr; return hold }
	})
	for _, is := range rankedIssues() {
		h.put(is)
	}
	newTurnGates(t, h, "ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5")
	h.run()
	h.waitFor("the restored continuations", func(s *Snapshot) bool { return len(s.Retrying) == 2 })
	h.advance(0)
	s := h.waitFor("the restored continuations to wait for the first poll", func(s *Snapshot) bool {
		return queuedNames(s) == "ENG-1(continuation) ENG-3(continuation)"
	})
	if len(s.Running) != 0 || len(s.Retrying) != 0 {
		t.Fatalf("before the first poll answered: %s", describe(s))
	}
	close(hold.release)
	s = h.waitFor("the first poll's dispatch", func(s *Snapshot) bool { return runningNames(s) == "ENG-2 ENG-4" })
	if got := queuedNames(s); got != "ENG-5 ENG-1(continuation) ENG-3(continuation)" {
		t.Fatalf("queue %q after the first poll", got)
	}
	for _, q := range s.Queued {
		if q.Continuation && q.Attempt != 1 {
			t.Fatalf("queued continuation %+v lost its attempt number", q)
		}
	}
}

// Continuations log as continuing, never as a retry with an empty reason.
func TestNormalExitLogsACompletedAndContinuingLine(t *testing.T) {
	h := newHarness(t)
	h.put(newIssue(1, "In Progress"))
	h.start()
	h.waitFor("the continuation", retrying("id-1", 1))
	logs := h.logs.String()
	if n := len(logLines(t, logs, "retrying")); n != 0 {
		t.Fatalf("a normal exit logged %d retrying lines:\n%s", n, logs)
	}
	completed, continuing := logLines(t, logs, "completed"), logLines(t, logs, "continuing")
	if len(completed) != 1 || len(continuing) != 1 {
		t.Fatalf("%d completed and %d continuing lines, want one each:\n%s", len(completed), len(continuing), logs)
	}
	if c := continuing[0]; c["issue_identifier"] != "ENG-1" || c["delay"] != "1s" || c["reason"] != nil {
		t.Fatalf("continuing line %v; want ENG-1, delay 1s and no reason", c)
	}
}

func TestStatusLineNamesTheRunningIssues(t *testing.T) {
	rows := func(n int) []RunningRow {
		var out []RunningRow
		for i := 1; i <= n; i++ {
			out = append(out, RunningRow{Identifier: fmt.Sprintf("ENG-%d", i)})
		}
		return out
	}
	cases := []struct {
		name string
		s    Snapshot
		want string
	}{
		{"idle", Snapshot{MaxAgents: 4},
			"running 0/4 · retrying 0 · watching 0 · tokens 0 (today 0)"},
		{"running and queued", Snapshot{MaxAgents: 4, Running: rows(3), Queued: []QueuedRow{{Identifier: "ENG-9"}}},
			"running 3/4: ENG-1 ENG-2 ENG-3 · queued 1 · retrying 0 · watching 0 · tokens 0 (today 0)"},
		{"names are bounded", Snapshot{MaxAgents: 10, Running: rows(10)},
			"running 10/10: ENG-1 ENG-2 ENG-3 ENG-4 ENG-5 ENG-6 ENG-7 ENG-8 +2 more · retrying 0 · watching 0 · tokens 0 (today 0)"},
		{"continuations apart from retries", Snapshot{MaxAgents: 2, Retrying: []RetryRow{{Continuation: true}, {Error: "boom"}, {Error: "bang"}}},
			"running 0/2 · continuing 1 · retrying 2 · watching 0 · tokens 0 (today 0)"},
	}
	for _, c := range cases {
		if got := c.s.StatusLine(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestBriefKeepsInfoLinesShort(t *testing.T) {
	long := strings.Repeat("é", briefLimit)
	cases := []struct{ in, want string }{
		{"turn 1: port_exit: codex exited", "turn 1: port_exit: codex exited"},
		{"hook failed\nstderr: line 1\nline 2", "hook failed …"},
		{long, long[:briefLimit] + " …"},
		{"x" + long, "x" + long[:briefLimit-2] + " …"},
	}
	for _, c := range cases {
		if got := brief(c.in); got != c.want {
			t.Errorf("brief(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

type unknownMessage struct{}

func (unknownMessage) loopMessage() {}

func TestAnUnknownLoopMessageIsAProgrammingError(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "unknownMessage") {
			t.Fatalf("handle recovered %v, want a panic naming the message type", r)
		}
	}()
	(&Orchestrator{}).handle(unknownMessage{})
}

// A continuation that falls due while dispatch is paused waits in the queue, not in a
// backoff, and runs the moment the operator resumes.
func TestAPausedContinuationRunsTheMomentDispatchResumes(t *testing.T) {
	h := newHarness(t)
	hold := make(chan struct{})
	defer close(hold)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{}, {}, {Wait: hold}}})
	h.start()
	h.waitFor("the continuation", retrying("id-1", 1))
	if err := h.o.Pause("deploy freeze"); err != nil {
		t.Fatal(err)
	}
	h.advance(continuationDelay)
	s := h.waitFor("the continuation to wait", func(s *Snapshot) bool { return queuedNames(s) == "ENG-1(continuation)" && len(s.Retrying) == 0 })
	if line := s.StatusLine(); !strings.Contains(line, "queued 1") || !strings.Contains(line, "dispatch held: paused by operator") {
		t.Fatalf("status line %q", line)
	}
	polledAt := s.LastPollAt
	if err := h.o.Resume(); err != nil {
		t.Fatal(err)
	}
	s = h.waitFor("the continuation to run", func(s *Snapshot) bool { r, ok := s.Find("id-1"); return ok && r.Attempt == 1 })
	if !s.LastPollAt.Equal(polledAt) || len(s.Queued) != 0 {
		t.Fatalf("resume should dispatch without a poll: %s", describe(s))
	}
}

// An operator can stop an issue that is only waiting for a slot; it is held and never takes
// the slot when it frees.
func TestStopHoldsAnIssueWaitingForASlot(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.MaxTotal = 1 }))
	turns := newTurnGates(t, h, "ENG-1", "ENG-2")
	h.put(newIssue(1, "In Progress"))
	h.put(newIssue(2, "In Progress"))
	h.start()
	h.waitFor("ENG-2 to wait", func(s *Snapshot) bool { return runningNames(s) == "ENG-1" && queuedNames(s) == "ENG-2" })
	if err := h.o.StopIssue("ENG-2"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("ENG-2 to be held", func(s *Snapshot) bool {
		return len(s.Held) == 1 && s.Held[0].Identifier == "ENG-2" && len(s.Queued) == 0
	})
	turns.finish("ENG-1")
	turns.finish("ENG-1")
	s := h.waitFor("ENG-1's continuation", retrying("id-1", 1))
	if len(s.Running) != 0 || len(h.agents.SessionsFor("ENG-2")) != 0 {
		t.Fatalf("the stopped ENG-2 took the freed slot: %s", describe(s))
	}
}
