// Package agenttest provides a scripted, in-process agent.Session for deterministic tests of
// code that drives agents (the orchestrator above all): each issue gets a script saying how
// its session starts and how each turn behaves, and the factory records what every session
// was asked to do.
package agenttest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// Turn scripts one turn.
type Turn struct {
	// Tokens is the total-token delta reported by a token_usage event during the turn.
	Tokens int64
	// Usage, when not zero, is the delta reported instead of Tokens split evenly between
	// uncached input and output.
	Usage agent.TokenUsage
	// Model names the model on the token_usage event; CostUSD, when set, is the cost the
	// runtime reports for the delta.
	Model   string
	CostUSD *float64
	// RateLimits, when set, is reported in a rate_limits event.
	RateLimits json.RawMessage
	// Do runs at the start of the turn (for example to move the issue in a fake tracker); an
	// error from it fails the turn with turn_failed.
	Do func(ctx context.Context, prompt string) error
	// Emit are reported after Do, stamped with the turn's ids (for example the event a
	// scoped tool reports when the agent moves its own issue).
	Emit []agent.Event
	// Wait blocks the turn until it is closed or the turn is cancelled.
	Wait <-chan struct{}
	// Block makes the turn hang until it is cancelled or the session stopped: a wedged agent.
	Block bool
	// Silent suppresses every event of the turn, as a wedged agent would.
	Silent bool
	// Err fails the turn after its events.
	Err *agent.Error
}

// Script is the behaviour of one issue's sessions.
type Script struct {
	// StartErr fails Start.
	StartErr error
	// SilentStart suppresses the session_started event.
	SilentStart bool
	// Turns are used in order across all of the sessions; the last one repeats. No
	// turns means every turn succeeds quietly with one notification.
	Turns []Turn
}

// Factory builds sessions from scripts keyed by issue identifier. It is safe for concurrent use.
type Factory struct {
	mu       sync.Mutex
	scripts  map[string]Script
	turnNext map[string]int
	sessions []*Session
	starts   atomic.Int64
	pids     atomic.Int64
	// StartedCh, when set before use, receives the identifier of every session that started;
	// a Start nobody receives from waits for it until its context ends.
	StartedCh chan string
}

// NewFactory returns a factory whose unscripted issues succeed every turn.
func NewFactory() *Factory {
	f := &Factory{scripts: map[string]Script{}, turnNext: map[string]int{}}
	f.pids.Store(40000)
	return f
}

// Script sets the behaviour of identifier's future sessions.
func (f *Factory) Script(identifier string, s Script) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[identifier] = s
}

// New returns an unstarted session for identifier that reports to sink.
func (f *Factory) New(identifier, workspace string, sink agent.EventSink) *Session {
	if sink == nil {
		sink = func(agent.Event) {}
	}
	s := &Session{f: f, identifier: identifier, workspace: workspace, sink: sink, stopped: make(chan struct{})}
	f.mu.Lock()
	f.sessions = append(f.sessions, s)
	f.mu.Unlock()
	return s
}

// Starts reports how many sessions have completed Start.
func (f *Factory) Starts() int { return int(f.starts.Load()) }

// Sessions returns every session built so far, oldest first.
func (f *Factory) Sessions() []*Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*Session(nil), f.sessions...)
}

// SessionsFor returns identifier's sessions, oldest first.
func (f *Factory) SessionsFor(identifier string) []*Session {
	var out []*Session
	for _, s := range f.Sessions() {
		if s.identifier == identifier {
			out = append(out, s)
		}
	}
	return out
}

func (f *Factory) script(identifier string) Script {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.scripts[identifier]
}

func (f *Factory) nextTurn(identifier string) Turn {
	f.mu.Lock()
	defer f.mu.Unlock()
	turns := f.scripts[identifier].Turns
	if len(turns) == 0 {
		return Turn{}
	}
	i := min(f.turnNext[identifier], len(turns)-1)
	f.turnNext[identifier]++
	return turns[i]
}

// Session is a scripted agent.Session.
type Session struct {
	f          *Factory
	identifier string
	workspace  string
	sink       agent.EventSink

	stopOnce sync.Once
	stopped  chan struct{}

	mu      sync.Mutex
	pid     int
	prompts []string
	usage   agent.TokenUsage
	turns   int
}

var _ agent.Session = (*Session)(nil)

// Identifier and Workspace say what the session was built for.
func (s *Session) Identifier() string { return s.identifier }

// Workspace is the directory the session was built for.
func (s *Session) Workspace() string { return s.workspace }

// Start implements agent.Session.
func (s *Session) Start(ctx context.Context) error {
	sc := s.f.script(s.identifier)
	if sc.StartErr != nil {
		return sc.StartErr
	}
	s.mu.Lock()
	s.pid = int(s.f.pids.Add(1))
	s.mu.Unlock()
	s.f.starts.Add(1)
	if ch := s.f.StartedCh; ch != nil {
		select {
		case ch <- s.identifier:
		case <-ctx.Done():
			return agent.Errorf(agent.CodeResponseTimeout, "start cancelled: %w", context.Cause(ctx))
		}
	}
	if !sc.SilentStart {
		s.emit(agent.Event{Kind: agent.EventSessionStarted, Message: "fake session started"})
	}
	return nil
}

// RunTurn implements agent.Session.
func (s *Session) RunTurn(ctx context.Context, prompt string) (agent.TurnResult, error) {
	select {
	case <-s.stopped:
		return agent.TurnResult{}, agent.Errorf(agent.CodeSessionClosed, "session is stopped")
	default:
	}
	s.mu.Lock()
	s.prompts = append(s.prompts, prompt)
	s.turns++
	n := s.turns
	s.mu.Unlock()
	t := s.f.nextTurn(s.identifier)
	threadID, turnID := "thread-"+s.identifier, fmt.Sprintf("turn-%d", n)
	sessionID := threadID + "-" + turnID
	if !t.Silent {
		s.emit(agent.Event{Kind: agent.EventNotification, ThreadID: threadID, TurnID: turnID, SessionID: sessionID, Message: fmt.Sprintf("working on turn %d", n)})
	}
	if t.Do != nil {
		if err := t.Do(ctx, prompt); err != nil {
			return agent.TurnResult{}, agent.Errorf(agent.CodeTurnFailed, "scripted action failed: %w", err)
		}
	}
	for _, ev := range t.Emit {
		ev.ThreadID, ev.TurnID, ev.SessionID = threadID, turnID, sessionID
		s.emit(ev)
	}
	if t.Tokens > 0 || !t.Usage.IsZero() {
		delta := t.Usage
		if delta.IsZero() {
			delta = agent.TokenUsage{UncachedInput: t.Tokens / 2, Output: t.Tokens - t.Tokens/2, Total: t.Tokens}
		}
		s.mu.Lock()
		s.usage = s.usage.Add(delta)
		total := s.usage
		s.mu.Unlock()
		s.emit(agent.Event{Kind: agent.EventTokenUsage, ThreadID: threadID, TurnID: turnID, SessionID: sessionID, Usage: &total, UsageDelta: &delta,
			Model: t.Model, CostUSD: t.CostUSD})
	}
	if t.RateLimits != nil {
		s.emit(agent.Event{Kind: agent.EventRateLimits, ThreadID: threadID, TurnID: turnID, SessionID: sessionID, RateLimits: t.RateLimits})
	}
	if t.Wait != nil || t.Block {
		select {
		case <-t.Wait:
		case <-ctx.Done():
			return agent.TurnResult{}, agent.Errorf(agent.CodeTurnCancelled, "turn cancelled: %w", context.Cause(ctx))
		case <-s.stopped:
			return agent.TurnResult{}, agent.Errorf(agent.CodeTurnCancelled, "session stopped during the turn")
		}
	}
	if t.Err != nil {
		return agent.TurnResult{}, t.Err
	}
	if !t.Silent {
		s.emit(agent.Event{Kind: agent.EventTurnCompleted, ThreadID: threadID, TurnID: turnID, SessionID: sessionID})
	}
	return agent.TurnResult{ThreadID: threadID, TurnID: turnID, SessionID: sessionID, LastMessage: "done", Usage: s.Usage()}, nil
}

// Stop implements agent.Session; it is idempotent.
func (s *Session) Stop(context.Context) error {
	s.stopOnce.Do(func() { close(s.stopped) })
	return nil
}

// PID implements agent.Session.
func (s *Session) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// Usage implements agent.Session.
func (s *Session) Usage() agent.TokenUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage
}

// Prompts returns the prompts of every turn so far.
func (s *Session) Prompts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.prompts...)
}

// Stopped reports whether Stop was called.
func (s *Session) Stopped() bool {
	select {
	case <-s.stopped:
		return true
	default:
		return false
	}
}

func (s *Session) emit(ev agent.Event) {
	ev.Time = time.Now()
	ev.PID = s.PID()
	s.sink(ev)
}
