package prwatch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/orchestrator/orchestratortest"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/memory"
)

const (
	fullName = "acme/web"
	head     = "auto/ABC-1"
	sha1     = "1111111111111111111111111111111111111111"
	sha2     = "2222222222222222222222222222222222222222"
	sha3     = "3333333333333333333333333333333333333333"
)

// harness is one watched pull request: the fake GitHub, the memory tracker holding its
// issue in review, the store with the run that opened it, and the fake clock.
type harness struct {
	t      *testing.T
	clock  *orchestratortest.Clock
	gh     *githubtest.Server
	client *github.Client
	tr     *memory.Tracker
	st     *store.Store
	root   string
	prURL  string
	events *eventLog
}

type eventLog struct {
	mu    sync.Mutex
	kinds []string
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.kinds = append(l.kinds, e.Kind)
}

func (l *eventLog) count(kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, k := range l.kinds {
		if k == kind {
			n++
		}
	}
	return n
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, clock: orchestratortest.NewClock(t0), root: t.TempDir(), events: &eventLog{}}
	h.gh = githubtest.NewServer(t, githubtest.Options{Now: h.clock.Now})
	h.gh.AddRepository(githubtest.Repository{Owner: "acme", Name: "web", Branches: map[string]string{"main": "b000000000000000000000000000000000000000", head: sha1}})
	pr := h.gh.AddPullRequest(fullName, githubtest.PullRequest{Title: "Fix it", Head: head, Base: "main", Author: "symphony-bot"})
	h.prURL = "https://github.com/acme/web/pull/" + strconv.Itoa(pr.Number)
	var err error
	h.client, err = github.New(github.Options{Endpoint: github.Endpoint{REST: h.gh.URL, GraphQL: h.gh.URL + "/graphql"}, Token: githubtest.Token,
		Timeout: 5 * time.Second, MaxRetries: 1, Sleep: func(context.Context, time.Duration) error { return nil }, Now: h.clock.Now,
		ConditionalReads: true})
	if err != nil {
		t.Fatal(err)
	}
	h.tr, err = memory.New(memory.Options{Settings: tracker.Settings{Routes: []tracker.Route{{Key: "web", Default: true}},
		ActiveStates: []string{"Todo", "In Progress"}, TerminalStates: []string{"Done"}}, Now: h.clock.Now,
		Issues: []issue.Issue{{ID: "i1", Identifier: "ABC-1", Title: "Fix it", State: "In Review"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.st = h.openStore()
	run, err := h.st.StartRun(context.Background(), store.Run{RepoKey: "web", IssueID: "i1", IssueIdentifier: "ABC-1", WorkspacePath: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.RecordPullRequest(context.Background(), "web", run.ID, h.prURL); err != nil {
		t.Fatal(err)
	}
	h.finishRuns()
	return h
}

func (h *harness) openStore() *store.Store {
	st, err := store.Open(context.Background(), store.Options{StateRoot: h.root, Now: h.clock.Now, Redactor: secretscan.New()})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { st.Close() })
	return st
}

// finishRuns ends every running run, as the agent's exit would.
func (h *harness) finishRuns() {
	ctx := context.Background()
	runs, err := h.st.Runs(ctx, store.RunFilter{Status: store.StatusRunning})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range runs {
		r.Status = store.StatusSuccess
		if err := h.st.FinishRun(ctx, r); err != nil {
			h.t.Fatal(err)
		}
	}
}

// startRun records a running agent run for the issue.
func (h *harness) startRun() {
	if _, err := h.st.StartRun(context.Background(), store.Run{RepoKey: "web", IssueID: "i1", IssueIdentifier: "ABC-1"}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) settings() Settings {
	return Settings{Interval: time.Minute, ReviewState: "In Review", ReworkState: "In Progress", MergeState: "Merging",
		EscalateState: "Needs Human", ReworkDelay: 10 * time.Minute, StaleAfter: 7 * 24 * time.Hour, ChecksEnabled: true,
		LogExcerptLines: 50, RetryFailedOnce: true, MaxFixAttempts: 2}
}

func (h *harness) pollers(s Settings, tr Tracker, st Store) *Pollers {
	h.t.Helper()
	p, err := New(Deps{Settings: s, Tracker: tr, Store: st, Clock: h.clock, Events: h.events.add,
		GitHubFor: func(github.Repo) (GitHub, error) { return h.client, nil }})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) state() string {
	h.t.Helper()
	is, err := h.tr.FetchIssueStatesByIDs(context.Background(), []string{"i1"})
	if err != nil || len(is) != 1 {
		h.t.Fatalf("issue i1: %v %v", is, err)
	}
	return is[0].State
}

func (h *harness) setState(s string) {
	h.t.Helper()
	if err := h.tr.UpdateIssueState(context.Background(), "i1", s); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) row(poller string) store.PRWatch {
	h.t.Helper()
	rows, err := h.st.PRWatches(context.Background(), poller)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range rows {
		if r.IssueID == "i1" {
			return r
		}
	}
	return store.PRWatch{}
}

func (h *harness) runContext() orchestrator.RunContext {
	h.t.Helper()
	rc, err := RunContextFrom(h.st)(context.Background(), issue.Issue{ID: "i1", RepoKey: "web"})
	if err != nil {
		h.t.Fatal(err)
	}
	return rc
}

// countingTracker counts state updates and can crash (panic) around one.
type countingTracker struct {
	Tracker
	mu      sync.Mutex
	updates int
	// crash is "before" or "after" the next update, then cleared.
	crash string
}

var errCrash = errors.New("simulated crash")

func (c *countingTracker) UpdateIssueState(ctx context.Context, id, state string) error {
	c.mu.Lock()
	crash := c.crash
	c.crash = ""
	c.mu.Unlock()
	if crash == "before" {
		panic(errCrash)
	}
	err := c.Tracker.UpdateIssueState(ctx, id, state)
	c.mu.Lock()
	c.updates++
	c.mu.Unlock()
	if crash == "after" {
		panic(errCrash)
	}
	return err
}

// crashing runs fn and swallows the simulated crash, as a killed process would stop there.
func crashing(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != errCrash {
			t.Fatalf("expected the simulated crash, got %v", r)
		}
	}()
	fn()
}

func mustDecode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func storePause(on bool) store.Pause { return store.Pause{Paused: on, Reason: "test"} }

func storeRow(poller, phase string, rec []byte) store.PRWatch {
	return store.PRWatch{RepoKey: "web", IssueID: "i1", Poller: poller, PRURL: "https://github.com/acme/web/pull/1", Phase: phase, Record: rec}
}

func writeFile(dir, name, body string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600)
}
