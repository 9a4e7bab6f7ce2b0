package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/store"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// fakeOrchestrator publishes snapshots the test scripts; it refuses every control request,
// which the view never sends.
type fakeOrchestrator struct {
	mu        sync.Mutex
	snap      *orchestrator.Snapshot
	published chan struct{}
}

func newFakeOrchestrator(s *orchestrator.Snapshot) *fakeOrchestrator {
	return &fakeOrchestrator{snap: s, published: make(chan struct{})}
}

func (o *fakeOrchestrator) Snapshot() *orchestrator.Snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.snap
}

func (o *fakeOrchestrator) Published() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.published
}

// publish replaces the snapshot and wakes the readers, as the orchestrator's loop does.
func (o *fakeOrchestrator) publish(s *orchestrator.Snapshot) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.snap = s
	close(o.published)
	o.published = make(chan struct{})
}

var errNoControl = errors.New("the fake orchestrator takes no control requests")

func (o *fakeOrchestrator) Transcript(string) (orchestrator.Transcript, bool) {
	return orchestrator.Transcript{}, false
}
func (o *fakeOrchestrator) Pause(string) error                          { return errNoControl }
func (o *fakeOrchestrator) Resume() error                               { return errNoControl }
func (o *fakeOrchestrator) StopIssue(string) error                      { return errNoControl }
func (o *fakeOrchestrator) Unstop(string) error                         { return errNoControl }
func (o *fakeOrchestrator) RefreshNow() error                           { return errNoControl }
func (o *fakeOrchestrator) DispatchPR(string, prompt.PullRequest) error { return errNoControl }

type noRuns struct{}

func (noRuns) Runs(context.Context, store.RunFilter) ([]store.Run, error) { return nil, nil }

func snapshotRunning(ids ...string) *orchestrator.Snapshot {
	s := &orchestrator.Snapshot{At: time.Now(), MaxAgents: 4}
	for _, id := range ids {
		s.Running = append(s.Running, orchestrator.RunningRow{IssueID: "id-" + id, Identifier: id, RepoKey: "demo", State: "In Progress", StartedAt: time.Now()})
	}
	return s
}

// stateRoot is a short directory, so the control socket's path fits a Unix socket address.
func stateRoot(t *testing.T) string {
	dir, err := os.MkdirTemp("", "tui")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "state")
}

// serveAPI runs a real API server for o on the control socket of root until the returned
// stop is called (or the test ends).
func serveAPI(t *testing.T, root string, o *fakeOrchestrator) (stop func()) {
	t.Helper()
	srv, err := server.New(server.Options{Orchestrator: o, Runs: noRuns{}, AuditDir: audit.Dir(root), Token: testToken,
		Host: "127.0.0.1", PublishInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.ListenSocket(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, srv.SocketHandler()) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// messages collects what follow sends; await waits (bounded) for one that matches.
type messages struct {
	ch chan any
}

func (m messages) send(msg any) { m.ch <- msg }

func (m messages) await(t *testing.T, what string, match func(any) bool) any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var seen []any
	for {
		select {
		case msg := <-m.ch:
			if match(msg) {
				return msg
			}
			seen = append(seen, msg)
		case <-deadline:
			t.Fatalf("no %s within 10s; got %v", what, seen)
		}
	}
}

func runningOf(msg any) (string, bool) {
	sm, ok := msg.(stateMsg)
	if !ok {
		return "", false
	}
	var ids []string
	for _, r := range sm.state.Running {
		ids = append(ids, r.IssueIdentifier)
	}
	return strings.Join(ids, ","), true
}

func linkSays(prefix string) func(any) bool {
	return func(msg any) bool {
		lm, ok := msg.(linkMsg)
		return ok && strings.HasPrefix(lm.text, prefix)
	}
}

func isRunning(ids string) func(any) bool {
	return func(msg any) bool {
		got, ok := runningOf(msg)
		return ok && got == ids
	}
}

func TestFollowStreamsStateAndReconnects(t *testing.T) {
	root := stateRoot(t)
	orch := newFakeOrchestrator(snapshotRunning())
	stop := serveAPI(t, root, orch)

	msgs := messages{ch: make(chan any, 1024)}
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		follow(ctx, func() (*server.Client, error) { return server.Dial(root) }, msgs.send)
	}()
	defer func() {
		cancel()
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			t.Error("follow did not return within 10s of its context ending")
		}
	}()

	msgs.await(t, "connection notice", linkSays("live from "+filepath.Join(root, server.SocketFile)))
	msgs.await(t, "first state (nothing running)", isRunning(""))
	orch.publish(snapshotRunning("ENG-1"))
	msgs.await(t, "state with ENG-1 running", isRunning("ENG-1"))
	orch.publish(snapshotRunning("ENG-1", "ENG-2"))
	msgs.await(t, "state with ENG-1 and ENG-2 running", isRunning("ENG-1,ENG-2"))

	stop()
	msgs.await(t, "disconnection notice", linkSays("disconnected ("))
	// The service comes back (a restart): the view finds it again without being told.
	orch = newFakeOrchestrator(snapshotRunning("ENG-3"))
	serveAPI(t, root, orch)
	msgs.await(t, "reconnection notice", linkSays("live from "))
	msgs.await(t, "state of the restarted service", isRunning("ENG-3"))
}

func TestEventsEndsWithItsContext(t *testing.T) {
	root := stateRoot(t)
	serveAPI(t, root, newFakeOrchestrator(snapshotRunning()))
	c, err := server.Dial(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan server.State, 1)
	done := make(chan error, 1)
	go func() {
		done <- c.Events(ctx, func(st server.State) {
			select {
			case got <- st:
			default:
			}
		})
	}()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no state within 10s")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Events after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Events did not return within 10s of cancel")
	}
}
