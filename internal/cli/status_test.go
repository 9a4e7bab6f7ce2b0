package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/prwatch"
	"github.com/symphony-go/symphony/internal/server"
)

func TestStatusViewShowsEverySection(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	st := server.State{
		GeneratedAt: at, MaxAgents: 4,
		Counts: server.Counts{Running: 1, Retrying: 2, Held: 1, Watching: 1, Conflicts: 1, Queued: 1},
		Running: []server.RunningJSON{{IssueIdentifier: "ENG-1", State: "In Progress", TurnCount: 3, StartedAt: at.Add(-13*time.Minute - 5*time.Second),
			LastEvent: "notification", LastMessage: "running\ngo test", Tokens: server.Tokens{TotalTokens: 128000}, CostUSD: 0.42}},
		Queued: []server.QueuedJSON{{IssueIdentifier: "ENG-5", State: "Todo"}},
		Retrying: []server.RetryJSON{
			{IssueIdentifier: "ENG-3", Attempt: 4, DueAt: at.Add(80 * time.Second), Error: "worker exited: turn_timeout"},
			{IssueIdentifier: "ENG-8", Attempt: 1, DueAt: at.Add(time.Second), Continuation: true},
		},
		Held:                  []server.HeldJSON{{IssueIdentifier: "ENG-7", Reason: "stopped by operator"}},
		Watching:              []server.WatchingJSON{{IssueIdentifier: "ENG-4", State: "In Review", LastRanAt: at.Add(-time.Hour), URL: "https://linear.app/x/ENG-4"}},
		Conflicts:             []server.ConflictJSON{{IssueIdentifier: "ENG-6", RepoKeys: []string{"api", "web"}}},
		AwaitingInput:         []server.AwaitingJSON{{IssueIdentifier: "ENG-12", Question: "Which\nport?", AskedAt: at.Add(-20 * time.Minute)}},
		AwaitingClarification: []server.GateJSON{{IssueIdentifier: "ENG-9", Kind: "scored", Score: 4, RoundsAsked: 1, Reason: "No target\nlatency."}},
		Skipped: []server.GateJSON{{IssueIdentifier: "ENG-10", Kind: "scored", Score: 2, Reason: "Nothing to do."},
			{IssueIdentifier: "ENG-11", Kind: "error", Reason: "LLM call failed: provider_http_status"}},
		PullRequests: []prwatch.Status{
			{Identifier: "ENG-4", Poller: "review", Phase: "rework_requested", LastAction: "rework", LastActionAt: at.Add(-2 * time.Minute), PRURL: "https://github.com/a/b/pull/9"},
			{Identifier: "ENG-4", Poller: "ci", Phase: "checks_pending", Degraded: true, PRURL: "https://github.com/a/b/pull/9", Error: "HTTP 502"},
		},
		Totals:        server.Totals{Tokens: server.Tokens{TotalTokens: 1234567}, CostUSD: 12.5, CostUSDToday: 0.004},
		Budget:        server.BudgetJSON{DailyUsed: 182500, DailyLimit: 10000000, DailyDollarLimit: 20},
		DispatchState: server.DispatchState{Blockers: []server.BlockerJSON{{Kind: "manual", Message: "paused by operator: deploy"}}},
	}
	var b strings.Builder
	renderStatus(&b, st)
	view := b.String()
	for _, want := range []string{
		"Dispatch: held: paused by operator: deploy\n",
		"Agents: 1/4   Tokens: 1,234,567 total, 182,500 today of 10,000,000   Cost: $12.50 total, $0.0040 today of $20.00\n",
		"Running (1)", "ENG-1  In Progress  3     13m5s  128,000  $0.42  notification: running go test",
		"Queued (1)", "Retry queue (2)", "ENG-3  attempt 4  due in 1m20s  error: worker exited: turn_timeout", "ENG-8  attempt 1  due in 1s     continuation",
		"Held (1)", "ENG-7  stopped by operator",
		"Watching (1)", "ENG-4  In Review  last ran 1h0m0s ago  https://linear.app/x/ENG-4",
		"Conflicts (1)", "ENG-6  matched by api, web",
		"Pull requests (2)", "ENG-4  review  rework_requested           rework 2m0s ago  https://github.com/a/b/pull/9",
		"ENG-4  ci      checks_pending (degraded)  -                https://github.com/a/b/pull/9  HTTP 502",
		"Awaiting input (1)", "ENG-12  asked 20m0s ago  Which port?",
		"Awaiting clarification (issue gate) (1)", "ENG-9  score 4  asked 1 time(s)  No target latency.",
		"Skipped (issue gate) (2)", "ENG-10  score 2         Nothing to do.", "ENG-11  scoring failed  LLM call failed: provider_http_status",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("status view lacks %q:\n%s", want, view)
		}
	}
	b.Reset()
	renderStatus(&b, server.State{GeneratedAt: at, MaxAgents: 2, DispatchState: server.DispatchState{Active: true}})
	if got := b.String(); got != "Dispatch: active\nAgents: 0/2   Tokens: 0 total, 0 today   Cost: $0.00 total, $0.00 today\n" {
		t.Errorf("idle view %q", got)
	}
}

// TestStatusViewShowsWorkerHosts: the host of each running issue, why a queued issue waits,
// and each worker host's load and health, with how long an unhealthy one has been down and
// when it is probed next.
func TestStatusViewShowsWorkerHosts(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	down, probe := at.Add(-90*time.Second), at.Add(20*time.Second)
	st := server.State{
		GeneratedAt: at, MaxAgents: 4, Counts: server.Counts{Running: 1, Queued: 1},
		Running: []server.RunningJSON{{IssueIdentifier: "ENG-1", WorkerHost: "beta:2222", State: "In Progress", StartedAt: at}},
		Queued:  []server.QueuedJSON{{IssueIdentifier: "ENG-5", State: "Todo", WaitReason: "no_worker_capacity"}},
		WorkerHosts: []server.HostJSON{
			{Host: "alpha", Running: 0, Capacity: 1, LastError: "ssh: connect to host alpha port 22: Connection refused", DownSince: &down, NextProbeAt: &probe},
			{Host: "beta:2222", Healthy: true, Running: 1, Capacity: 1},
		},
		DispatchState: server.DispatchState{Blockers: []server.BlockerJSON{{Kind: "no_worker_capacity", Message: "no healthy worker host has a free slot (workers.ssh_hosts)"}}},
	}
	var b strings.Builder
	renderStatus(&b, st)
	view := b.String()
	for _, want := range []string{
		"Dispatch: held: no healthy worker host has a free slot (workers.ssh_hosts)\n",
		"ENG-1 on beta:2222  In Progress",
		"ENG-5  Todo  attempt 0  waiting: no_worker_capacity",
		"Worker hosts (2)",
		"alpha      0/1 running  UNHEALTHY for 1m30s, next probe in 20s: ssh: connect to host alpha port 22: Connection refused",
		"beta:2222  1/1 running  healthy",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("status view lacks %q:\n%s", want, view)
		}
	}
}

func TestStatusRefusesJSONWithWatch(t *testing.T) {
	code, _, stderr := runCLI(t, "status", "--json", "--watch", "--state-root", t.TempDir())
	if code != ExitUsage || !strings.Contains(stderr, "--json and --watch") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestControlCommandsWithoutAServiceSayHowToStartIt(t *testing.T) {
	for _, args := range [][]string{{"pause", "deploy"}, {"resume"}, {"stop", "ENG-1"}, {"unstop", "ENG-1"}, {"refresh"}, {"status"}} {
		code, _, stderr := runCLI(t, append(args, "--state-root", t.TempDir())...)
		if code != ExitFailure || !strings.Contains(stderr, "cannot reach the service") || !strings.Contains(stderr, "start it with `symphony --config") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for _, args := range [][]string{{"stop"}, {"unstop", " "}, {"pause", "a", "b"}, {"resume", "x"}} {
		if code, _, stderr := runCLI(t, append(args, "--state-root", t.TempDir())...); code != ExitUsage {
			t.Errorf("%v: exit %d, want usage: %s", args, code, stderr)
		}
	}
}

func TestDashboardPrintsTheAddressWithTheTokenInItsFragment(t *testing.T) {
	root := t.TempDir()
	code, _, stderr := runCLI(t, "dashboard", "--state-root", root)
	if code != ExitFailure || !strings.Contains(stderr, "no dashboard listener") || !strings.Contains(stderr, "start it with `symphony --config") {
		t.Fatalf("without a service: exit %d: %s", code, stderr)
	}
	token, err := server.EnsureToken(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.WriteControlURL(root, "http://127.0.0.1:4123"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "dashboard", "--state-root", root)
	if code != ExitOK || stdout != "http://127.0.0.1:4123/#token="+token+"\n" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "dashboard", "--no-token", "--state-root", root)
	if code != ExitOK || stdout != "http://127.0.0.1:4123/\n" {
		t.Fatalf("--no-token: exit %d, stdout %q", code, stdout)
	}
}
