package codex

import (
	"encoding/json"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// sessionState is everything about a session that changes while it runs. One goroutine, the
// owner (Session.own), reads and writes it: it handles Codex's stdout lines in order, and
// between two lines it runs what other goroutines (RunTurn, Stop, tool calls, the transport's
// reader) ask of it through Session.do or the oversize channel. Nothing else touches it, so
// it needs no lock, and a check and the change it guards (is this frame's turn still the
// running one? then end it) can never be split by another goroutine.
type sessionState struct {
	// closedErr is why the session can take no more turns, once the process is gone.
	closedErr  error
	handshaken bool
	stopped    bool
	// turnBegun is set by the first turn: from then on the agent may have changed the
	// workspace, so a host failure can no longer move the issue elsewhere for free.
	turnBegun bool
	threadID  string
	turnID    string
	// model is the model thread/start said the thread runs on.
	model string
	// turnWait receives the outcome of the running turn; nil while no turn runs.
	turnWait    chan turnOutcome
	lastMessage string
	account     agent.TokenAccount
	rateLimits  json.RawMessage
	limits      exhaustedLimits
	breaker     failureBreaker
	faults      frameFaults
	// sessionIDs makes the session ids of the frames' events.
	sessionIDs lastSessionID
	// frameTime is when the line being handled was read.
	frameTime time.Time
}

// exitWait is how long the owner waits for Codex to exit after its stdout ended before it
// kills the process tree: a Codex that closed stdout can no longer talk to the session.
const exitWait = 5 * time.Second

// own is the owner goroutine. It handles every stdout line in order until the stream ends,
// waits for the process to exit, then releases all waiters with the reason it went away;
// until the very end it also serves the requests of other goroutines. It takes the lines
// queued so far as one batch and serves requests between batches, so a streaming agent
// costs one wake-up per batch rather than one per line.
//
// A batch's lines are valid only until the next Take (jsonl.ReadOptions.LinesValidUntilNextTake),
// so nothing handling a line may keep it or a slice of it: the frame decoded from it holds
// copies (jsonl.DecodeFrame), an event's Raw is valid only during the sink's call
// (agent.Event), a malformed line is noted as a redacted string, and an oversize line's head
// is a copy of its own.
func (s *Session) own() {
	var batch []jsonl.Item[jsonl.Frame]
	for {
		var more bool
		batch, more = s.stream.Take(batch[:0])
		for i := range batch {
			s.handleLine(batch[i])
		}
		clear(batch)
		if !more {
			break
		}
		if len(batch) > 0 {
			s.serveWaiting()
			continue
		}
		select {
		case <-s.stream.Ready():
		case f := <-s.requests:
			f(&s.st)
		case head := <-s.oversize:
			s.st.faults.noteOversize(head)
		}
	}
	s.awaitExit()
	if s.st.stopped {
		// The exit was asked for: a turn still waiting was cancelled, not crashed.
		s.close(agent.Errorf(agent.CodeTurnCancelled, "session stopped (%s)", s.exitDescription()))
		return
	}
	s.close(s.exitError(&s.st, &agent.Error{Code: agent.CodePortExit, Message: s.exitDescription()}, s.proc.StderrTail()))
	// A crashed session's files (its whole conversation) go now, not when the caller gets
	// round to Stop.
	s.removeDirs()
}

// serveWaiting runs the requests and oversize notes waiting now, without blocking, so a
// stream that never runs dry still lets other goroutines in between its batches.
func (s *Session) serveWaiting() {
	for {
		select {
		case f := <-s.requests:
			f(&s.st)
		case head := <-s.oversize:
			s.st.faults.noteOversize(head)
		default:
			return
		}
	}
}

// awaitExit waits for the process to exit after its stdout ended, killing its tree if it
// does not within exitWait, and keeps serving requests meanwhile.
func (s *Session) awaitExit() {
	timer := time.NewTimer(exitWait)
	defer timer.Stop()
	for {
		select {
		case <-s.proc.Exited():
			return
		case <-timer.C:
			signalTree(s.PID(), processTree(s.PID()), killSignal)
		case f := <-s.requests:
			f(&s.st)
		case head := <-s.oversize:
			s.st.faults.noteOversize(head)
		}
	}
}

// do runs f on the owner goroutine, between two lines, and waits for it. Once the owner has
// ended (or when it never started) the state no longer changes: f then runs on the caller's
// goroutine against a copy of the final state, so it reads what the owner left and whatever
// it writes is discarded. No request needs its write after the end: a closed session refuses
// turns, and its waiters were all released.
func (s *Session) do(f func(st *sessionState)) {
	if s.startCalled.Load() {
		done := make(chan struct{})
		select {
		case s.requests <- func(st *sessionState) { f(st); close(done) }:
			<-done
			return
		case <-s.exited:
		}
	}
	final := s.st
	f(&final)
}

// noteOversize hands the start of an oversize line to the owner. It is called on the
// transport's reader goroutine as soon as a line passes the cap: a line that never ends
// would otherwise never be counted.
func (s *Session) noteOversize(head []byte) {
	select {
	case s.oversize <- head:
	case <-s.exited:
	}
}

// explainFaults appends the bad frames the owner has seen, if any, to message.
func (s *Session) explainFaults(message string) string {
	s.do(func(st *sessionState) { message = st.faults.explain(message) })
	return message
}

// endTurn delivers the outcome of turn, or of whichever turn is running when turn is "";
// only the first outcome counts.
func (st *sessionState) endTurn(turn string, err error) {
	if ch, _ := st.claimTurn(turn); ch != nil {
		ch <- turnOutcome{err: err}
	}
}

// claimTurn takes the running turn's waiter when turn is the running turn ("" stands for
// whichever turn is running), and reports whether it was: a late frame of an interrupted
// turn must not end the turn started after it.
func (st *sessionState) claimTurn(turn string) (chan turnOutcome, bool) {
	if turn != "" && turn != st.turnID {
		return nil, false
	}
	ch := st.turnWait
	st.turnWait = nil
	return ch, true
}
