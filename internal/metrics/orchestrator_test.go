package metrics

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/orchestrator/orchestratortest"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/memory"
	"github.com/symphony-go/symphony/internal/workspace"
)

// waitLimit bounds each real-time wait; the scheduling itself runs on a fake clock.
const waitLimit = 30 * time.Second

// runOrchestrator runs a real orchestrator, instrumented by m, over a memory tracker and the
// scripted fake agent, with a real store and audit log in temporary directories.
func runOrchestrator(t *testing.T, m *Metrics, agents *agenttest.Factory, issues ...issue.Issue) *orchestrator.Orchestrator {
	t.Helper()
	clock := orchestratortest.NewClock(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	settings := orchestrator.Settings{
		PollInterval: 30 * time.Second, ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Done"},
		MaxTotal: 4, MaxTurns: 2, RetryBackoffMax: 5 * time.Minute, AgentKind: "codex", TokensPerDay: 1000,
		ShutdownTimeout: 5 * time.Second, Routes: []tracker.Route{{Key: "app", Default: true}},
	}
	tr, err := memory.New(memory.Options{Settings: tracker.Settings{Routes: settings.Routes, ActiveStates: settings.ActiveStates,
		TerminalStates: settings.TerminalStates}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		tr.Put(is)
	}
	ws, err := workspace.New(workspace.Options{Root: filepath.Join(t.TempDir(), "workspaces"), Repos: []workspace.Repo{{Key: "app"}},
		FreeBytes: func(string) (uint64, error) { return 1 << 40, nil }})
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{StateRoot: state, Redactor: secretscan.New(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(state), Redactor: secretscan.New(), Head: st, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := prompt.AgentFor("codex")
	if err != nil {
		t.Fatal(err)
	}
	deps := m.Instrument(orchestrator.Deps{
		Settings: settings, Tracker: tr, Workspaces: ws, Store: st, Audit: log,
		Prompts: &orchestrator.PromptBuilder{Builder: prompt.NewBuilder(prompt.Options{}), Agent: ag,
			Templates: map[string]prompt.Template{"app": {Source: "Work on {{ issue.identifier }}.", Path: "WORKFLOW.md", Line: 1}}},
		NewAgent: func(r orchestrator.AgentRequest) (agent.Session, error) {
			return agents.New(r.Issue.Identifier, r.Workspace.Path, r.Events), nil
		},
		Clock: clock, Logger: slog.New(slog.DiscardHandler),
	})
	o, err := orchestrator.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	m.Watch(o)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- o.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLimit):
			t.Error("Run did not return after cancellation")
		}
		_ = log.Close()
		_ = st.Close()
	})
	return o
}

// eventually polls cond until it holds or waitLimit passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestScrapeOfARealOrchestrator(t *testing.T) {
	m := New(Options{Repositories: []string{"app"}})
	agents := agenttest.NewFactory()
	gate := make(chan struct{})
	agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 40}, {Tokens: 2}}})
	agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 5, Err: agent.Errorf(agent.CodeTurnFailed, "scripted failure")}}})
	agents.Script("ENG-3", agenttest.Script{Turns: []agenttest.Turn{{Tokens: 100, Wait: gate}}})
	t.Cleanup(func() { close(gate) })
	newIssue := func(n, state string) issue.Issue {
		return issue.Issue{ID: "id-" + n, Identifier: "ENG-" + n, Title: "Issue " + n, State: state}
	}
	o := runOrchestrator(t, m, agents, newIssue("1", "In Progress"), newIssue("2", "In Progress"), newIssue("3", "In Progress"))
	eventually(t, "two exits and ENG-3's tokens", func() bool {
		s := samples(t, m)
		return s[`symphony_attempt_duration_seconds_count{repository="app"}`] == 2 && s[`symphony_gross_tokens_total{repository="app"}`] == 147
	})
	eventually(t, "the published snapshot to show both exits", func() bool {
		s := o.Snapshot()
		return len(s.Running) == 1 && len(s.Retrying) == 2
	})
	eventually(t, "the queued writes to drain", func() bool {
		a, s := o.PendingWrites()
		return a == 0 && s == 0
	})

	got := samples(t, m)
	want := map[string]float64{
		`symphony_running_issues`:                                               1,
		`symphony_retrying_issues{kind="retry"}`:                                1,
		`symphony_retrying_issues{kind="continuation"}`:                         1,
		`symphony_agent_slots`:                                                  4,
		`symphony_daily_tokens`:                                                 147,
		`symphony_daily_token_budget_remaining`:                                 853,
		`symphony_audit_queue_depth`:                                            0,
		`symphony_store_queue_depth`:                                            0,
		`symphony_dispatches_total{repository="app"}`:                           3,
		`symphony_attempts_completed_total{outcome="success",repository="app"}`: 1,
		`symphony_attempts_completed_total{outcome="failure",repository="app"}`: 1,
		`symphony_turn_duration_seconds_count{repository="app"}`:                2,
		`symphony_gross_tokens_total{repository="app"}`:                         147,
		`symphony_polls_total{result="ok"}`:                                     1,
		`symphony_poll_duration_seconds_count`:                                  1,
		`symphony_tracker_requests_total{operation="fetch_route_candidates"}`:   1,
		`symphony_store_write_duration_seconds_count{operation="start_run"}`:    3,
		`symphony_store_write_duration_seconds_count{operation="finish_run"}`:   2,
	}
	for key, w := range want {
		if g, ok := got[key]; !ok || g != w {
			t.Errorf("%s = %v (present %v), want %v", key, g, ok, w)
		}
	}
	if got[`symphony_tracker_requests_total{operation="fetch_issue_states_by_ids"}`] < 2 {
		t.Errorf("the workers' after-turn refreshes were not counted: %v", got[`symphony_tracker_requests_total{operation="fetch_issue_states_by_ids"}`])
	}
	// Usage reports of every session are summed and written together at most every 100 ms or
	// with the next store write, and none is left unwritten once no store write is queued,
	// so four reports cost between one write and one each.
	if n := got[`symphony_store_write_duration_seconds_count{operation="add_usage"}`]; n < 1 || n > 4 {
		t.Errorf("%v token usage writes timed, want between one and one per usage report (4)", n)
	}
}
