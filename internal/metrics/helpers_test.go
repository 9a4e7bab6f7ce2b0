package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

// fakeSource publishes a fixed snapshot and write queue.
type fakeSource struct {
	snap         *orchestrator.Snapshot
	audit, store int
}

func (f *fakeSource) Snapshot() *orchestrator.Snapshot { return f.snap }
func (f *fakeSource) PendingWrites() (int, int)        { return f.audit, f.store }

// lastPoll is the fake snapshot's last poll time.
var lastPoll = time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)

// busySnapshot has something in every list and both budgets set.
func busySnapshot() *orchestrator.Snapshot {
	return &orchestrator.Snapshot{
		Paused: true, PauseReason: "deploy", DispatchBlocked: []string{"paused by operator: deploy"},
		MaxAgents: 4,
		Running:   []orchestrator.RunningRow{{IssueID: "a", RepoKey: "app"}, {IssueID: "b", RepoKey: "api"}},
		Queued:    []orchestrator.QueuedRow{{IssueID: "c"}},
		Retrying: []orchestrator.RetryRow{{IssueID: "d", Error: "boom"}, {IssueID: "e", Continuation: true},
			{IssueID: "f", Continuation: true}},
		Watching:     []orchestrator.WatchingRow{{IssueID: "g"}},
		Held:         []orchestrator.HeldRow{{IssueID: "h"}, {IssueID: "i"}},
		Conflicts:    []orchestrator.ConflictRow{{IssueID: "j"}},
		DailyTokens:  700,
		TokensPerDay: 1000, TokensPerIssue: 300,
		LastPollAt: lastPoll,
		Hosts: []orchestrator.HostRow{{Host: "alpha", Healthy: true, Running: 2, Capacity: 2},
			{Host: "[::1]:2222", LastError: "ssh: connect to host ::1 port 2222: Connection refused"}},
	}
}

var errScripted = errors.New("scripted failure")

// scriptedTracker answers the two calls scripted() makes.
type scriptedTracker struct{ tracker.Tracker }

func (scriptedTracker) FetchCandidates(context.Context) (tracker.Candidates, error) {
	return tracker.Candidates{}, errScripted
}

func (scriptedTracker) FetchIssueStatesByIDs(_ context.Context, ids []string) ([]issue.Issue, error) {
	return []issue.Issue{{ID: ids[0]}}, nil
}

// scriptedStore answers the two writes scripted() makes.
type scriptedStore struct{ orchestrator.Store }

func (scriptedStore) StartRun(_ context.Context, r store.Run) (store.Run, error) { return r, nil }
func (scriptedStore) FinishRun(context.Context, store.Run) error                 { return errScripted }

// scripted returns Metrics that have seen some of everything: a watched busy snapshot,
// observer calls, a failed and a good tracker request and a failed and a good store write.
func scripted(t *testing.T) *Metrics {
	t.Helper()
	m := New(Options{Repositories: []string{"app", "api"}})
	m.Watch(&fakeSource{snap: busySnapshot(), audit: 3, store: 5})
	m.WatchPullRequests(prWatchStore(t))
	m.OnDispatch("app")
	m.OnDispatch("app")
	m.OnDispatch("api")
	m.OnTurn("app", 90*time.Second)
	m.OnTurn("app", 2*time.Second)
	m.OnTokens("app", agent.TokenUsage{UncachedInput: 100, CachedInput: 400, Output: 50, Total: 560})
	m.OnTokens("api", agent.TokenUsage{CacheCreationInput: 7, Total: 7})
	m.OnCost("app", 0.5)
	m.OnCost("app", 0.25)
	m.OnCost("api", -1)
	m.OnExit("app", store.StatusSuccess, "", 5*time.Minute)
	m.OnExit("app", store.StatusFailure, orchestrator.StopStalled, 20*time.Second)
	m.OnExit("api", store.StatusStopped, orchestrator.StopOperator, time.Minute)
	m.OnPoll(300*time.Millisecond, false)
	m.OnPoll(2*time.Second, true)
	m.OnNotification(notify.Result{Kind: "slack", Event: "run_failed", Delivered: true})
	m.OnNotification(notify.Result{Kind: "webhook", Event: "pr_opened", Err: errScripted})
	m.OnNotification(notify.Result{Kind: "webhook", Event: "pr_opened", Dropped: true, Err: errScripted})
	tr := m.Tracker(scriptedTracker{})
	ctx := context.Background()
	if _, err := tr.FetchCandidates(ctx); !errors.Is(err, errScripted) {
		t.Fatalf("the wrapper changed FetchCandidates' error to %v", err)
	}
	if got, err := tr.FetchIssueStatesByIDs(ctx, []string{"x"}); err != nil || len(got) != 1 || got[0].ID != "x" {
		t.Fatalf("the wrapper changed FetchIssueStatesByIDs' answer to %v, %v", got, err)
	}
	st := m.Store(scriptedStore{})
	if r, err := st.StartRun(ctx, store.Run{ID: "r1"}); err != nil || r.ID != "r1" {
		t.Fatalf("the wrapper changed StartRun's answer to %v, %v", r, err)
	}
	if err := st.FinishRun(ctx, store.Run{ID: "r1"}); !errors.Is(err, errScripted) {
		t.Fatalf("the wrapper changed FinishRun's error to %v", err)
	}
	return m
}
