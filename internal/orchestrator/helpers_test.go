package orchestrator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator/orchestratortest"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/memory"
	"github.com/symphony-go/symphony/internal/workspace"
)

// waitLimit bounds every real-time wait in these tests; the logic itself runs on a fake clock.
// It only matters when a test is failing, so it is generous: the store's fsyncs on a loaded
// two-core machine took longer than 10 s once.
const waitLimit = 30 * time.Second

var epoch = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type harnessConfig struct {
	// runContext is Deps.RunContext; nil for none.
	runContext RunContextSource
	settings   Settings
	routes     []tracker.Route
	hooks      workspace.Hooks
	minFree    uint64
	freeBytes  uint64
	stateRoot  string
	wrap       func(tracker.Tracker) tracker.Tracker
	preflight  func() error
	// ownComment receives the comments the workpad bootstrap claims for the issue's runs.
	ownComment func(ctx context.Context, issueID, commentID string) error
	observer   Observer
	notifier   Notifier
	verifier   Verifier
	// redact scrubs transcript messages.
	redact func(string) string
	// gate builds the issue gate over the harness's tracker; nil runs ungated.
	gate func(h *harness) *gate.Gate
	// review builds the pre-push reviewer; nil runs none.
	review func(h *harness) *PrePushReview
	// threadsDir is Deps.ThreadsDir; wrapAgent, when set, wraps each scripted session (to
	// give it a runtime's optional abilities) and sees the request that built it.
	threadsDir string
	wrapAgent  func(r AgentRequest, s agent.Session) agent.Session
}

type option func(*harnessConfig)

func withSettings(f func(*Settings)) option { return func(c *harnessConfig) { f(&c.settings) } }

// harness wires a real store, audit log and workspace manager (in temp dirs) with a memory
// tracker, the scripted fake agent and a fake clock.
type harness struct {
	t       testing.TB
	clock   *orchestratortest.Clock
	tr      *memory.Tracker
	tracker tracker.Tracker
	agents  *agenttest.Factory
	ws      *workspace.Manager
	wsRoot  string
	state   string
	store   *store.Store
	audit   *audit.Log
	logs    *syncBuffer
	// hosts are the fake worker hosts of Settings.WorkerHosts.
	hosts *fakeHosts
	o     *Orchestrator
	cfg   harnessConfig

	cancel  context.CancelFunc
	runDone chan error
}

func defaultSettings() Settings {
	return Settings{
		PollInterval:    30 * time.Second,
		ActiveStates:    []string{"Todo", "In Progress"},
		TerminalStates:  []string{"Done", "Cancelled"},
		MaxTotal:        10,
		MaxTurns:        2,
		RetryBackoffMax: 300 * time.Second,
		AgentKind:       "codex",
		ShutdownTimeout: 5 * time.Second,
		ControlTimeout:  5 * time.Second,
	}
}

func newHarness(t testing.TB, opts ...option) *harness {
	t.Helper()
	cfg := harnessConfig{settings: defaultSettings(), routes: []tracker.Route{{Key: "app", Default: true}}}
	for _, o := range opts {
		o(&cfg)
	}
	h := &harness{t: t, clock: orchestratortest.NewClock(epoch), agents: agenttest.NewFactory(), cfg: cfg, logs: &syncBuffer{}}
	tr, err := memory.New(memory.Options{
		Settings: tracker.Settings{Routes: cfg.routes, ActiveStates: cfg.settings.ActiveStates, TerminalStates: cfg.settings.TerminalStates},
		Now:      h.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.tr, h.tracker = tr, tr
	if cfg.wrap != nil {
		h.tracker = cfg.wrap(tr)
	}
	h.wsRoot = filepath.Join(t.TempDir(), "workspaces")
	var repos []workspace.Repo
	for _, r := range cfg.routes {
		repos = append(repos, workspace.Repo{Key: r.Key, Hooks: cfg.hooks})
	}
	free := cfg.freeBytes
	h.ws, err = workspace.New(workspace.Options{Root: h.wsRoot, Repos: repos, Cleanup: workspace.Cleanup{MinFreeBytes: cfg.minFree},
		FreeBytes: func(string) (uint64, error) { return free, nil }})
	if err != nil {
		t.Fatal(err)
	}
	h.hosts = newFakeHosts(t, cfg.settings.WorkerHosts, repos)
	h.state = cfg.stateRoot
	if h.state == "" {
		h.state = t.TempDir()
	}
	h.openDurable()
	return h
}

func (h *harness) openDurable() {
	h.t.Helper()
	ctx := context.Background()
	var err error
	h.store, err = store.Open(ctx, store.Options{StateRoot: h.state, Redactor: secretscan.New(), Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	h.audit, err = audit.Open(ctx, audit.Options{Dir: audit.Dir(h.state), Redactor: secretscan.New(), Head: h.store, Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(h.closeDurable)
}

// closeDurable stops the orchestrator and closes the audit log and store, so a second harness
// on the same state root can open them (a restart); safe to call twice.
func (h *harness) closeDurable() {
	h.shutdown()
	if h.audit != nil {
		_ = h.audit.Close()
		_ = h.store.Close()
		h.audit, h.store = nil, nil
	}
}

func (h *harness) deps() Deps {
	builder := prompt.NewBuilder(prompt.Options{})
	ag, err := prompt.AgentFor(h.cfg.settings.AgentKind)
	if err != nil {
		h.t.Fatal(err)
	}
	templates := map[string]prompt.Template{}
	for _, r := range h.cfg.routes {
		templates[r.Key] = prompt.Template{Source: "Work on {{ issue.identifier }}.", Path: "WORKFLOW.md", Line: 1}
	}
	s := h.cfg.settings
	s.Routes = h.cfg.routes
	var g *gate.Gate
	if h.cfg.gate != nil {
		g = h.cfg.gate(h)
	}
	var rv *PrePushReview
	if h.cfg.review != nil {
		rv = h.cfg.review(h)
	}
	d := Deps{
		Gate: g, Review: rv,
		Settings: s, Tracker: h.tracker, Workspaces: h.ws, Store: h.store, Audit: h.audit,
		Prompts: &PromptBuilder{Builder: builder, Agent: ag, Templates: templates},
		NewAgent: func(r AgentRequest) (agent.Session, error) {
			if err := h.hosts.connect(r); err != nil {
				return nil, err
			}
			s := agent.Session(h.agents.New(r.Issue.Identifier, r.Workspace.Path, r.Events))
			if h.cfg.wrapAgent != nil {
				s = h.cfg.wrapAgent(r, s)
			}
			return s, nil
		},
		ThreadsDir: h.cfg.threadsDir,
		RunContext: h.cfg.runContext,
		Preflight:  h.cfg.preflight,
		OwnComment: h.cfg.ownComment,
		Observer:   h.cfg.observer,
		Notifier:   h.cfg.notifier,
		Verifier:   h.cfg.verifier,
		Redact:     h.cfg.redact,
		Clock:      h.clock,
		Logger:     slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if len(s.WorkerHosts) > 0 {
		d.HostWorkspaces, d.ProbeHost = h.hosts.workspaces, h.hosts.probe
	}
	return d
}

// start runs the orchestrator and waits for its first poll.
func (h *harness) start() *Orchestrator {
	h.t.Helper()
	o := h.run()
	h.waitFor("the first poll", func(s *Snapshot) bool { return !s.LastPollAt.IsZero() })
	return o
}

// run starts the orchestrator without waiting for anything.
func (h *harness) run() *Orchestrator {
	h.t.Helper()
	o, err := New(h.deps())
	if err != nil {
		h.t.Fatal(err)
	}
	h.o = o
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.runDone = cancel, make(chan error, 1)
	go func() { h.runDone <- o.Run(ctx) }()
	h.t.Cleanup(h.shutdown)
	return o
}

// shutdown stops Run and waits for it; safe to call twice.
func (h *harness) shutdown() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.runDone:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(waitLimit):
		h.t.Fatal("Run did not return after cancellation")
	}
}

func (h *harness) put(is issue.Issue) { h.tr.Put(is) }

// advance moves the fake clock and lets the loop handle what fell due.
func (h *harness) advance(d time.Duration) { h.clock.Advance(d) }

// poll advances one poll interval and waits until the loop has finished that poll.
func (h *harness) poll() {
	h.t.Helper()
	before := h.o.Snapshot().LastPollAt
	h.advance(h.tickEvery())
	h.waitFor("the next poll", func(s *Snapshot) bool { return s.LastPollAt.After(before) })
}

func (h *harness) tickEvery() time.Duration {
	if n := len(h.cfg.routes); n > 1 {
		return h.cfg.settings.PollInterval / time.Duration(n)
	}
	return h.cfg.settings.PollInterval
}

func (h *harness) waitFor(what string, cond func(*Snapshot) bool) *Snapshot {
	h.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		s := h.o.Snapshot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; snapshot: %s", what, describe(s))
		}
		time.Sleep(time.Millisecond)
	}
}

// eventually waits for a condition outside the snapshot (store rows, files).
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; snapshot: %s", what, describe(h.o.Snapshot()))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (h *harness) runs(issueID string) []store.Run {
	h.t.Helper()
	runs, err := h.store.Runs(context.Background(), store.RunFilter{Issue: issueID})
	if err != nil {
		h.t.Fatal(err)
	}
	return runs
}

// runStatuses lists an issue's run statuses, oldest first.
func (h *harness) runStatuses(issueID string) []store.Status {
	runs := h.runs(issueID)
	out := make([]store.Status, len(runs))
	for i, r := range runs {
		out[len(runs)-1-i] = r.Status
	}
	return out
}

func (h *harness) waitStatuses(issueID string, want ...store.Status) {
	h.t.Helper()
	h.eventually(fmt.Sprintf("runs of %s to be %v", issueID, want), func() bool {
		return fmt.Sprint(h.runStatuses(issueID)) == fmt.Sprint(want)
	})
}

func retrying(id string, attempt int) func(*Snapshot) bool {
	return func(s *Snapshot) bool {
		r, ok := s.Retry(id)
		_, run := s.Find(id)
		return ok && !run && r.Attempt == attempt
	}
}

func idle(id string) func(*Snapshot) bool {
	return func(s *Snapshot) bool {
		_, run := s.Find(id)
		_, retry := s.Retry(id)
		return !run && !retry
	}
}

func describe(s *Snapshot) string {
	var b strings.Builder
	for _, r := range s.Running {
		fmt.Fprintf(&b, "running %s state=%s attempt=%d stop=%s; ", r.Identifier, r.State, r.Attempt, r.StopRequested)
	}
	for _, r := range s.Retrying {
		fmt.Fprintf(&b, "retry %s attempt=%d due=%s err=%q; ", r.Identifier, r.Attempt, r.DueAt.Format(time.TimeOnly), r.Error)
	}
	for _, r := range s.Watching {
		fmt.Fprintf(&b, "watching %s state=%s; ", r.Identifier, r.State)
	}
	for _, r := range s.Held {
		fmt.Fprintf(&b, "held %s (%s); ", r.Identifier, r.Reason)
	}
	fmt.Fprintf(&b, "blocked=%v lastPollErr=%q", s.DispatchBlocked, s.LastPollError)
	return b.String()
}

// newIssue is an active issue in the default route.
func newIssue(n int, state string) issue.Issue {
	created := epoch.Add(-time.Duration(100-n) * time.Minute)
	return issue.Issue{ID: fmt.Sprintf("id-%d", n), Identifier: fmt.Sprintf("ENG-%d", n), Title: fmt.Sprintf("Issue %d", n),
		State: state, CreatedAt: &created}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (h *harness) workspacePath(repoKey, identifier string) string {
	h.t.Helper()
	p, err := h.ws.Path(repoKey, identifier)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// auditTypes lists the event types recorded for an issue.
func (h *harness) auditTypes(identifier string) []string {
	h.t.Helper()
	if err := h.audit.Sync(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(h.state), Issue: identifier})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.EventType)
	}
	return out
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// started waits for a running attempt whose agent session has started.
// startWaiting puts the issue, scripts its agent to wait in its first turn until the test
// ends, starts the orchestrator and waits for the session.
func (h *harness) startWaiting(is issue.Issue) {
	h.t.Helper()
	gate := make(chan struct{})
	h.t.Cleanup(func() { close(gate) })
	h.put(is)
	h.agents.Script(is.Identifier, scriptWait(gate))
	h.start()
	h.waitFor("the session", started(is.ID))
}

func started(id string) func(*Snapshot) bool {
	return func(s *Snapshot) bool { r, ok := s.Find(id); return ok && r.PID != 0 }
}

// logLines returns the JSON log records whose message is msg, in order.
func logLines(t testing.TB, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(logs) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}
