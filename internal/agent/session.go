package agent

import "context"

// Session is one live agent process bound to one issue workspace. A worker starts it once,
// runs one or more turns on the same conversation, and stops it when the attempt ends.
// Methods are not safe for concurrent use except Stop, which may be called at any time to
// abort a running turn.
type Session interface {
	// Start launches the agent in its workspace and completes the runtime handshake. Events
	// from this point on go to the session's event sink.
	Start(ctx context.Context) error
	// RunTurn sends prompt as the next turn and blocks until the turn ends. A turn that does
	// not complete returns an *Error whose Code says why.
	RunTurn(ctx context.Context, prompt string) (TurnResult, error)
	// Stop interrupts any running turn, ends the agent's whole process tree and removes the
	// session's private files. It is idempotent.
	Stop(ctx context.Context) error
	// PID is the agent process id, or 0 before Start.
	PID() int
	// Usage returns the accepted cumulative token totals of the session so far.
	Usage() TokenUsage
}

// TurnResult describes a turn that completed normally.
type TurnResult struct {
	ThreadID string
	TurnID   string
	// SessionID is "<thread_id>-<turn_id>" (SPEC §10.2).
	SessionID string
	// LastMessage is the final agent message text of the turn, when the runtime reported one.
	LastMessage string
	Usage       TokenUsage
}

// EventSink receives session events. It is called from the session's protocol goroutine, so
// it must return quickly (hand the event to a channel or buffer); a sink that blocks slows
// protocol handling, although the agent's stdout keeps being drained into a bounded queue.
type EventSink func(Event)
