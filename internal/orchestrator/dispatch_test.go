package orchestrator

import (
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

func intp(n int) *int { return &n }

func TestSortForDispatchPriorityThenOldestThenIdentifier(t *testing.T) {
	at := func(m int) *time.Time { v := epoch.Add(time.Duration(m) * time.Minute); return &v }
	list := []issue.Issue{
		{Identifier: "E-5", Priority: nil, CreatedAt: at(0)},
		{Identifier: "E-4", Priority: intp(2), CreatedAt: at(5)},
		{Identifier: "E-3", Priority: intp(2), CreatedAt: at(1)},
		{Identifier: "E-2", Priority: intp(0), CreatedAt: at(-10)},
		{Identifier: "E-1", Priority: intp(1), CreatedAt: at(9)},
		{Identifier: "E-0", Priority: intp(2), CreatedAt: at(1)},
	}
	sortForDispatch(list)
	var got []string
	for _, is := range list {
		got = append(got, is.Identifier)
	}
	// Priority 1 first; among priority 2 the oldest, identifier breaking the tie; priority 0
	// ("no priority") and nil sort last, oldest first.
	want := []string{"E-1", "E-0", "E-3", "E-4", "E-2", "E-5"}
	if !slices.Equal(got, want) {
		t.Fatalf("dispatch order %v, want %v", got, want)
	}
}

func TestEligibility(t *testing.T) {
	s, err := defaultSettings().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	o := &Orchestrator{s: s, held: map[string]HeldRow{"held": {Reason: "stopped by operator"}}}
	base := issue.Issue{ID: "1", Identifier: "E-1", Title: "t", State: "Todo", RepoKey: "app"}
	with := func(f func(*issue.Issue)) issue.Issue { c := base; f(&c); return c }
	cases := []struct {
		name string
		is   issue.Issue
		want bool
	}{
		{"plain todo", base, true},
		{"todo with a non-terminal blocker waits", with(func(i *issue.Issue) { i.BlockedBy = []issue.Blocker{{Identifier: "E-9", State: "In Progress"}} }), false},
		{"todo with a blocker of unknown state waits", with(func(i *issue.Issue) { i.BlockedBy = []issue.Blocker{{Identifier: "E-9"}} }), false},
		{"todo with only terminal blockers runs", with(func(i *issue.Issue) {
			i.BlockedBy = []issue.Blocker{{Identifier: "E-8", State: "Done"}, {Identifier: "E-9", State: "cancelled"}}
		}), true},
		{"in progress ignores blockers", with(func(i *issue.Issue) {
			i.State = "In Progress"
			i.BlockedBy = []issue.Blocker{{Identifier: "E-9", State: "Todo"}}
		}), true},
		{"missing title", with(func(i *issue.Issue) { i.Title = "" }), false},
		{"non-active state", with(func(i *issue.Issue) { i.State = "Human Review" }), false},
		{"terminal state", with(func(i *issue.Issue) { i.State = "Done" }), false},
		{"no repository route", with(func(i *issue.Issue) { i.RepoKey = "" }), false},
		{"held by the operator", with(func(i *issue.Issue) { i.ID = "held" }), false},
	}
	for _, c := range cases {
		if got, why := o.eligible(c.is); got != c.want {
			t.Errorf("%s: eligible = %v (%s), want %v", c.name, got, why, c.want)
		}
	}
}

func TestFailureBackoffDoublesFromTenSecondsUpToTheCap(t *testing.T) {
	s := Settings{RetryBackoffMax: 300 * time.Second}
	cases := map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 5: 160 * time.Second, 6: 300 * time.Second, 40: 300 * time.Second}
	for attempt, want := range cases {
		if got := s.failureBackoff(attempt); got != want {
			t.Errorf("attempt %d: backoff %s, want %s", attempt, got, want)
		}
	}
	s.RetryBackoffMax = 15 * time.Second
	if got := s.failureBackoff(2); got != 15*time.Second {
		t.Errorf("with a 15 s cap attempt 2 waits %s, want 15s", got)
	}
}

func TestDispatchTakesHighestPriorityFirstAndRespectsMaxTotal(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) { s.MaxTotal = 1 }))
	gate := make(chan struct{})
	defer close(gate)
	for _, n := range []int{1, 2, 3} {
		is := newIssue(n, "Todo")
		is.Priority = intp(4 - n)
		h.put(is)
		h.agents.Script(is.Identifier, scriptWait(gate))
	}
	h.start()
	s := h.waitFor("one dispatch", func(s *Snapshot) bool { return len(s.Running) == 1 })
	if s.Running[0].Identifier != "ENG-3" {
		t.Fatalf("dispatched %s first, want ENG-3 (priority 1)", s.Running[0].Identifier)
	}
	h.poll()
	if n := len(h.o.Snapshot().Running); n != 1 {
		t.Fatalf("%d running with max_total 1", n)
	}
}

func TestPerStateSlotsCountRunningIssuesByState(t *testing.T) {
	h := newHarness(t, withSettings(func(s *Settings) {
		s.MaxByState = map[string]int{"In Progress": 1}
		s.StartState = "Backlog"
	}))
	gate := make(chan struct{})
	defer close(gate)
	for n := 1; n <= 3; n++ {
		is := newIssue(n, "In Progress")
		if n == 3 {
			is.State = "Todo"
		}
		h.put(is)
		h.agents.Script(is.Identifier, scriptWait(gate))
	}
	h.start()
	s := h.waitFor("two dispatches", func(s *Snapshot) bool { return len(s.Running) == 2 })
	states := map[string]bool{}
	for _, r := range s.Running {
		states[r.State] = true
	}
	if !states["In Progress"] || !states["Todo"] {
		t.Fatalf("running %s; want one In Progress issue and the Todo issue", describe(s))
	}
}

func TestConflictingIssuesAreListedAndNeverDispatched(t *testing.T) {
	routes := []tracker.Route{{Key: "web", Labels: []string{"web"}}, {Key: "api", Labels: []string{"api"}}}
	h := newHarness(t, func(c *harnessConfig) { c.routes = routes })
	both := newIssue(1, "Todo")
	both.Labels = []string{"web", "api"}
	one := newIssue(2, "Todo")
	one.Labels = []string{"api"}
	h.put(both)
	h.put(one)
	h.start()
	h.poll()
	s := h.waitFor("the conflict row", func(s *Snapshot) bool { return len(s.Conflicts) == 1 })
	if c := s.Conflicts[0]; c.Identifier != "ENG-1" || !slices.Equal(c.RepoKeys, []string{"api", "web"}) {
		t.Fatalf("conflict row %+v", c)
	}
	h.eventually("ENG-2 to run", func() bool { return len(h.agents.SessionsFor("ENG-2")) == 1 })
	if n := len(h.agents.SessionsFor("ENG-1")); n != 0 {
		t.Fatalf("the conflicting issue got %d sessions", n)
	}
}

func TestRoutePollsAreStaggeredAcrossTheInterval(t *testing.T) {
	rec := &callRecorder{}
	routes := []tracker.Route{{Key: "web", Labels: []string{"web"}}, {Key: "api", Labels: []string{"api"}}, {Key: "ops", Default: true}}
	h := newHarness(t, func(c *harnessConfig) {
		c.routes = routes
		c.wrap = func(tr tracker.Tracker) tracker.Tracker { rec.Tracker = tr; return rec }
	})
	h.start()
	h.poll()
	h.poll()
	h.poll()
	got := rec.routeCalls()
	want := []string{"web", "api", "ops", "web"}
	if !slices.Equal(got, want) {
		t.Fatalf("route polls %v, want one route per tick in turn %v", got, want)
	}
	if every := h.tickEvery(); every != 10*time.Second {
		t.Fatalf("ticks every %s, want 10s (30s over three routes)", every)
	}
}
