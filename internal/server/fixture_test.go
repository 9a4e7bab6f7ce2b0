package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// testToken is the bearer token of every test server.
const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

var epoch = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// scripted is an orchestrator whose snapshot and answers the test sets.
type scripted struct {
	mu        sync.Mutex
	snap      *orchestrator.Snapshot
	published chan struct{}
	trans     map[string]orchestrator.Transcript
	calls     []string
	err       error
}

func newScripted(s *orchestrator.Snapshot) *scripted {
	return &scripted{snap: s, published: make(chan struct{}), trans: map[string]orchestrator.Transcript{}}
}

func (o *scripted) Snapshot() *orchestrator.Snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.snap
}

func (o *scripted) Published() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.published
}

// publish replaces the snapshot with a changed copy and wakes readers, as the loop does.
func (o *scripted) publish(change func(s *orchestrator.Snapshot)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	next := *o.snap
	change(&next)
	o.snap = &next
	close(o.published)
	o.published = make(chan struct{})
}

func (o *scripted) Transcript(key string) (orchestrator.Transcript, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, t := range o.trans {
		if t.IssueID == key || t.Identifier == key {
			return t, true
		}
	}
	return orchestrator.Transcript{}, false
}

func (o *scripted) record(call string) error {
	o.mu.Lock()
	o.calls = append(o.calls, call)
	err := o.err
	o.mu.Unlock()
	return err
}

func (o *scripted) Calls() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.calls...)
}

func (o *scripted) Pause(reason string) error {
	if err := o.record("pause " + reason); err != nil {
		return err
	}
	o.publish(func(s *orchestrator.Snapshot) {
		s.Paused, s.PauseReason, s.PausedSince = true, reason, epoch.Add(time.Minute)
		s.Blockers = append(slices.Clone(s.Blockers), orchestrator.Blocker{Kind: orchestrator.BlockerManual, Message: "paused by operator: " + reason})
	})
	return nil
}

func (o *scripted) Resume() error {
	if err := o.record("resume"); err != nil {
		return err
	}
	o.publish(func(s *orchestrator.Snapshot) {
		s.Paused, s.PauseReason, s.PausedSince = false, "", time.Time{}
		s.Blockers = slices.DeleteFunc(slices.Clone(s.Blockers), func(b orchestrator.Blocker) bool { return b.Kind == orchestrator.BlockerManual })
	})
	return nil
}

func (o *scripted) StopIssue(id string) error { return o.record("stop " + id) }
func (o *scripted) Unstop(id string) error    { return o.record("unstop " + id) }
func (o *scripted) RefreshNow() error         { return o.record("refresh") }

func (o *scripted) DispatchPR(repoKey string, pr prompt.PullRequest) error {
	return o.record(fmt.Sprintf("dispatch_pr %s %d %s", repoKey, pr.Number, pr.Intent))
}

// examplePRs answers dispatch_pr lookups as GitHub would for acme/web: 7 is open, 8 comes
// from a fork, 9 is closed and every other number fails to load.
func examplePRs(_ context.Context, req DispatchPRRequest) (string, prompt.PullRequest, error) {
	repo := req.Repo
	if repo == "" {
		repo = "web"
	}
	if repo != "web" && repo != "api" {
		return "", prompt.PullRequest{}, &InvalidRequestError{Err: fmt.Errorf("repo %q is not a repository key of the config", req.Repo)}
	}
	target := req.Target()
	url := "https://github.com/acme/web/pull/" + target
	switch target {
	case "7", "https://github.com/acme/web/pull/7":
		return repo, prompt.PullRequest{Number: 7, URL: "https://github.com/acme/web/pull/7", Title: "Add x", State: "open", BaseRef: "main", HeadRef: "feature/x", Intent: req.Intent}, nil
	case "8":
		return "", prompt.PullRequest{}, &orchestrator.Refusal{Code: "pr_fork", Message: url + " comes from someone/web, not acme/web; pull requests from forks are not run"}
	case "9":
		return "", prompt.PullRequest{}, &orchestrator.Refusal{Code: "pr_closed", Message: url + " is closed"}
	}
	return "", prompt.PullRequest{}, fmt.Errorf("GET /repos/acme/web/pulls/%s: 404 Not Found", target)
}

// fixedRuns answers run queries with the same rows, narrowed to the issue asked for as the
// store does, and remembers the filter.
type fixedRuns struct {
	mu   sync.Mutex
	last store.RunFilter
	runs []store.Run
}

func (f *fixedRuns) Runs(_ context.Context, filter store.RunFilter) ([]store.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = filter
	var out []store.Run
	for _, r := range f.runs {
		if filter.Issue == "" || filter.Issue == r.IssueID || filter.Issue == r.IssueIdentifier {
			out = append(out, r)
		}
	}
	return out[:min(len(out), filter.Limit)], nil
}

func usage(in, out int64) agent.TokenUsage {
	return agent.TokenUsage{UncachedInput: in * 3 / 4, CachedInput: in - in*3/4, Output: out, Total: in + out}
}

// exampleSnapshot is a service with two running issues, a retry, a queued issue, a watched
// hand-off, a route conflict, a held issue and some history: every list of the state is set.
func exampleSnapshot() *orchestrator.Snapshot {
	return &orchestrator.Snapshot{
		At: epoch, MaxAgents: 4, TokensPerIssue: 2000000, TokensPerDay: 10000000, DailyTokens: 182500,
		DollarsPerIssue: 5, DollarsPerDay: 50,
		Running: []orchestrator.RunningRow{
			{IssueID: "id-1", Identifier: "ENG-1", Title: "Fix the login redirect", URL: "https://linear.app/acme/issue/ENG-1",
				PRURL: "https://github.com/acme/web/pull/31", RepoKey: "web", State: "In Progress", RunID: "run-11", Attempt: 0,
				SessionID: "thread-1-turn-3", PID: 4242, Workspace: "/srv/symphony/workspaces/web/ENG-1", Host: "build-1.internal",
				StartedAt: epoch.Add(-13 * time.Minute), LastEventAt: epoch.Add(-5 * time.Second), LastEvent: agent.EventNotification,
				LastMessage: "running go test ./...", Turns: 3, Tokens: usage(120000, 8000), CostUSD: 0.31, IssueCostUSD: 0.42},
			{IssueID: "id-2", Identifier: "ENG-2", Title: "Rate-limit the export endpoint", URL: "https://linear.app/acme/issue/ENG-2", RepoKey: "api", State: "In Progress", RunID: "run-12", Attempt: 2,
				SessionID: "thread-2-turn-1", PID: 4343, Workspace: "/srv/symphony/workspaces/api/ENG-2",
				StartedAt: epoch.Add(-2 * time.Minute), LastEventAt: epoch.Add(-40 * time.Second), LastEvent: agent.EventSessionStarted,
				LastMessage: "session started", Turns: 1, Tokens: usage(30000, 1500), CostUSD: 0.05, IssueCostUSD: 0.05},
		},
		Queued:   []orchestrator.QueuedRow{{IssueID: "id-5", Identifier: "ENG-5", RepoKey: "web", State: "Todo"}},
		Retrying: []orchestrator.RetryRow{{IssueID: "id-3", Identifier: "ENG-3", RepoKey: "web", Attempt: 4, DueAt: epoch.Add(80 * time.Second), Error: "worker exited: turn_timeout"}},
		Watching: []orchestrator.WatchingRow{{IssueID: "id-4", Identifier: "ENG-4", RepoKey: "api", State: "In Review",
			URL: "https://linear.app/acme/issue/ENG-4", LastRanAt: epoch.Add(-time.Hour)}},
		Conflicts: []orchestrator.ConflictRow{{IssueID: "id-6", Identifier: "ENG-6", RepoKeys: []string{"api", "web"}}},
		Held:      []orchestrator.HeldRow{{IssueID: "id-7", Identifier: "ENG-7", RepoKey: "web", Reason: "stopped by operator"}},
		AwaitingInput: []orchestrator.AwaitingRow{{IssueID: "id-10", Identifier: "ENG-10", RepoKey: "api",
			Question: "Which port should the server use?", AskedAt: epoch.Add(-20 * time.Minute)}},
		AwaitingClarification: []orchestrator.GateRow{{IssueID: "id-8", Identifier: "ENG-8", RepoKey: "web", Title: "Make exports faster",
			URL: "https://linear.app/acme/issue/ENG-8", Kind: orchestrator.GateScored, Score: 4, Reason: "No target latency is given.",
			Questions: []string{"Which export?", "What latency is the goal?"}, RoundsAsked: 1, DecidedAt: epoch.Add(-3 * time.Minute)}},
		Skipped: []orchestrator.GateRow{{IssueID: "id-9", Identifier: "ENG-9", RepoKey: "api", Title: "Fix things",
			URL: "https://linear.app/acme/issue/ENG-9", Kind: orchestrator.GateScored, Score: 2, Reason: "No problem is described.",
			DecidedAt: epoch.Add(-3 * time.Minute)}},
		Tokens: usage(900000, 45000), RuntimeSeconds: 5400.5, CostUSD: 2.4, DailyCostUSD: 0.61, RateLimits: json.RawMessage(`{"primary":{"used_percent":12.5,"resets_in_seconds":30}}`),
		LastPollAt: epoch.Add(-10 * time.Second),
		Hosts: []orchestrator.HostRow{{Host: "build-1.internal", Healthy: true, Running: 1, Capacity: 2},
			{Host: "build-2.internal:2222", Capacity: 2, ConsecutiveFailures: 1, DownSince: epoch.Add(-90 * time.Second), NextProbe: epoch.Add(30 * time.Second),
				LastError: "worker_host_unavailable: ssh exited 255: ssh: connect to host build-2.internal port 2222: Connection refused"}},
		History: []orchestrator.HistoryRow{
			{RunID: "run-9", IssueID: "id-3", Identifier: "ENG-3", RepoKey: "web", Attempt: 3, Status: store.StatusTimeout,
				Error: "turn_timeout", StartedAt: epoch.Add(-30 * time.Minute), EndedAt: epoch.Add(-20 * time.Minute), Tokens: usage(50000, 2000), CostUSD: 0.11},
			{RunID: "run-10", IssueID: "id-4", Identifier: "ENG-4", RepoKey: "api", Attempt: 0, Status: store.StatusSuccess,
				StartedAt: epoch.Add(-90 * time.Minute), EndedAt: epoch.Add(-time.Hour), Tokens: usage(200000, 9000), CostUSD: 0.45},
		},
	}
}

func exampleTranscripts() map[string]orchestrator.Transcript {
	return map[string]orchestrator.Transcript{"id-1": {IssueID: "id-1", Identifier: "ENG-1", RepoKey: "web", Events: []orchestrator.TranscriptEvent{
		{At: epoch.Add(-13 * time.Minute), Kind: agent.EventSessionStarted, Message: "session started", SessionID: "thread-1-turn-1", RunID: "run-11"},
		{At: epoch.Add(-time.Minute), Kind: agent.EventToolCallCompleted, Message: "linear_comment", SessionID: "thread-1-turn-3", RunID: "run-11"},
		{At: epoch.Add(-5 * time.Second), Kind: agent.EventNotification, Message: "running go test ./...", SessionID: "thread-1-turn-3", RunID: "run-11"},
	}}}
}

func exampleRuns() []store.Run {
	return []store.Run{
		{ID: "run-10", RepoKey: "api", IssueID: "id-4", IssueIdentifier: "ENG-4", IssueTitle: "Rate-limit the export endpoint",
			IssueState: "In Review", Attempt: 0, Status: store.StatusSuccess, StartedAt: epoch.Add(-90 * time.Minute),
			EndedAt: epoch.Add(-time.Hour), WorkspacePath: "/srv/symphony/workspaces/api/ENG-4", SessionID: "thread-4-turn-2",
			Tokens:         store.Tokens{Input: 200000, UncachedInput: 150000, CachedInput: 50000, Output: 9000, Total: 209000},
			CostUSD:        0.45,
			RuntimeSeconds: 1800, ToolCalls: 12},
		{ID: "run-9", RepoKey: "web", IssueID: "id-3", IssueIdentifier: "ENG-3", IssueTitle: "Fix the flaky login test",
			IssueState: "In Progress", Attempt: 3, Status: store.StatusTimeout, StartedAt: epoch.Add(-30 * time.Minute),
			EndedAt: epoch.Add(-20 * time.Minute), Error: "turn_timeout", WorkspacePath: "/srv/symphony/workspaces/web/ENG-3",
			Tokens:         store.Tokens{Input: 50000, UncachedInput: 37500, CachedInput: 12500, Output: 2000, Total: 52000},
			CostUSD:        0.11,
			RuntimeSeconds: 600, ToolCalls: 4, ToolFailures: 1},
	}
}

// writeAudit writes n records alternating between ENG-1 and ENG-2, one per hour from epoch,
// so they span two day files.
func writeAudit(t *testing.T, stateRoot string, n int) {
	t.Helper()
	ctx := context.Background()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: stateRoot, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	next := epoch
	clock := func() time.Time { at := next; next = next.Add(time.Hour); return at }
	l, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(stateRoot), Redactor: red, Head: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := []string{"ENG-1", "ENG-2"}[i%2]
		typ := []string{audit.EventToolCall, audit.EventOperatorAction}[i%2]
		if _, err := l.Append(ctx, audit.Event{IssueID: "id-" + id[4:], IssueIdentifier: id, RepoKey: "web", RunID: "run-" + id,
			Type: typ, Details: map[string]any{"step": i}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

type testEnv struct {
	srv   *Server
	orch  *scripted
	runs  *fixedRuns
	state string
}

func newTestEnv(t *testing.T, tweak ...func(*Options)) *testEnv {
	t.Helper()
	state := t.TempDir()
	orch := newScripted(exampleSnapshot())
	orch.trans = exampleTranscripts()
	runs := &fixedRuns{runs: exampleRuns()}
	opts := Options{Orchestrator: orch, Runs: runs, AuditDir: audit.Dir(state), Token: testToken, Host: "127.0.0.1",
		PublishInterval: 100 * time.Millisecond, Now: func() time.Time { return epoch }, ResolvePR: examplePRs,
		PullRequests: examplePRWatches(t)}
	for _, f := range tweak {
		f(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: srv, orch: orch, runs: runs, state: state}
}

// do sends a request to h and returns the recorded answer.
func do(h http.Handler, method, target, body string, header http.Header) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func bearer() http.Header { return http.Header{"Authorization": {"Bearer " + testToken}} }

// errorCode decodes an error envelope, failing the test when the body is not one.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var eb ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Fatalf("body %q is not an error envelope", rec.Body.String())
	}
	return eb.Error.Code
}
