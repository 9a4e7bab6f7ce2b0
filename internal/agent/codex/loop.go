package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// maxLineBytes is the longest stdout line the adapter accepts (SPEC §10.1 recommends 10 MB).
const maxLineBytes = jsonl.DefaultMaxLineBytes

// protocolLoop handles every stdout line in order until the stream ends, then releases all
// waiters with the reason the process went away.
func (s *Session) protocolLoop() {
	for it, ok := s.stream.Next(); ok; it, ok = s.stream.Next() {
		s.handleLine(it)
	}
	select {
	case <-s.proc.Exited():
	case <-time.After(5 * time.Second):
		// Codex closed stdout but kept running: it can no longer talk to us.
		signalTree(s.PID(), processTree(s.PID()), killSignal)
		<-s.proc.Exited()
	}
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		// The exit was asked for: a turn still waiting was cancelled, not crashed.
		s.close(agent.Errorf(agent.CodeTurnCancelled, "session stopped (%s)", s.exitDescription()))
		return
	}
	s.close(s.exitError(&agent.Error{Code: agent.CodePortExit, Message: s.exitDescription()}))
	// A crashed session's files (its whole conversation) go now, not when the caller gets
	// round to Stop.
	s.removeDirs()
}

// handleLine acts on one stdout line: a response, a server request, a notification, or a
// line that is not a JSON-RPC message at all.
func (s *Session) handleLine(it jsonl.Item[jsonl.Message]) {
	s.frameTime = it.At
	var tooLong *jsonl.LineTooLongError
	switch {
	case errors.As(it.Err, &tooLong):
		s.emitFrame(agent.Event{Kind: agent.EventMalformed, Message: tooLong.Error(), Raw: tooLong.Head, RawTruncated: true})
		return
	case it.Err != nil:
		s.faults.noteMalformed(it.Line)
		s.emitFrame(agent.Event{Kind: agent.EventMalformed, Message: it.Err.Error(), Raw: eventRaw(it.Line), RawTruncated: len(it.Line) > eventRawBytes})
		return
	}
	m := &it.Value
	switch {
	case m.IsResponse():
		if !s.rpc.Deliver(m) {
			s.emitFrame(agent.Event{Kind: agent.EventOtherMessage, Message: "response to an unknown request id " + string(m.ID), Raw: eventRaw(it.Line)})
		}
	case m.IsRequest():
		s.handleServerRequest(m, it.Line)
	case m.IsNotification():
		s.handleNotification(m, it.Line)
	default:
		s.emitFrame(agent.Event{Kind: agent.EventOtherMessage, Message: "frame has neither a method nor an id", Raw: eventRaw(it.Line)})
	}
}

// eventRaw is at most eventRawBytes of line for an event. The line is the session's own copy,
// so a short one is used as it is; the start of a long one is copied, so that an event kept
// by its consumer does not keep a multi-megabyte line alive.
func eventRaw(line []byte) []byte {
	if len(line) <= eventRawBytes {
		return line[:len(line):len(line)]
	}
	return append([]byte(nil), line[:eventRawBytes]...)
}

func (s *Session) exitDescription() string {
	select {
	case <-s.proc.Exited():
	default:
		return "codex stdout closed"
	}
	if err := s.proc.ExitErr(); err != nil {
		return "codex " + err.Error()
	}
	return "codex exited with status 0"
}

// exitError attaches the stderr tail and, when bash could not find the agent command before
// the handshake finished, reclassifies the exit as codex_not_found.
func (s *Session) exitError(e *agent.Error) *agent.Error {
	e.StderrTail = s.proc.StderrTail()
	e.Message = s.faults.explain(e.Message)
	s.mu.Lock()
	handshaken := s.handshaken
	s.mu.Unlock()
	var exit *jsonl.ExitError
	if !handshaken && errors.As(s.proc.ExitErr(), &exit) && exit.Kind == jsonl.ExitCode && exit.Code == 127 {
		e.Code = agent.CodeCodexNotFound
		e.Message = fmt.Sprintf("%q was not found by bash %s (exit status 127)", s.opts.Command, s.shellFlag())
	}
	return e
}

// close marks the session dead with err and fails every pending request and the running turn.
func (s *Session) close(err error) {
	s.mu.Lock()
	if s.closedErr == nil {
		s.closedErr = err
	}
	stopped := s.stopped
	s.mu.Unlock()
	s.rpc.Close(err)
	s.endTurn("", err)
	if !stopped {
		s.opts.Logger.Warn("codex exited", "pid", s.PID(), "error", err)
	}
	close(s.exited)
}

// endTurn delivers the outcome of turn, or of whichever turn is running when turn is "";
// only the first outcome counts.
func (s *Session) endTurn(turn string, err error) {
	if ch, _ := s.claimTurn(turn); ch != nil {
		ch <- turnOutcome{err: err}
	}
}

// claimTurn takes the running turn's waiter when turn is the running turn ("" stands for
// whichever turn is running), and reports whether it was. The check and the take share one
// lock: a late frame of an interrupted turn must not end the turn started after it.
func (s *Session) claimTurn(turn string) (chan turnOutcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if turn != "" && turn != s.turnID {
		return nil, false
	}
	ch := s.turnWait
	s.turnWait = nil
	return ch, true
}

func (s *Session) handleNotification(m *jsonl.Message, line []byte) {
	ev := agent.Event{Kind: agent.EventNotification, Method: m.Method, Raw: eventRaw(line), RawTruncated: len(line) > eventRawBytes}
	switch m.Method {
	case "turn/completed":
		s.onTurnCompleted(m, ev)
		return
	case "thread/tokenUsage/updated":
		s.onTokenUsage(m, ev)
		return
	case "account/rateLimits/updated":
		var p rateLimitsParams
		if json.Unmarshal(m.Params, &p) == nil && len(p.RateLimits) > 0 {
			s.mu.Lock()
			s.rateLimits = p.RateLimits
			s.mu.Unlock()
			ev.Kind, ev.RateLimits = agent.EventRateLimits, p.RateLimits
		}
	case "item/completed":
		ev.Activity = s.onItemCompleted(m.Params)
	case "error":
		var p errorParams
		if json.Unmarshal(m.Params, &p) == nil {
			ev.Message = p.Error.Message
			if p.WillRetry {
				ev.Message += " (codex retries)"
			}
		}
	}
	s.emitFrame(ev)
}

func (s *Session) onTurnCompleted(m *jsonl.Message, ev agent.Event) {
	var p turnCompletedParams
	if err := json.Unmarshal(m.Params, &p); err != nil {
		ev.Kind, ev.Message = agent.EventMalformed, "turn/completed: "+err.Error()
		s.emitFrame(ev)
		return
	}
	ev.TurnID = p.Turn.ID
	wait, current := s.claimTurn(p.Turn.ID)
	if !current {
		s.emitFrame(ev)
		return
	}
	var outcome error
	switch p.Turn.Status {
	case "completed":
		ev.Kind = agent.EventTurnCompleted
	case "interrupted":
		ev.Kind, ev.Code = agent.EventTurnCancelled, agent.CodeTurnCancelled
		outcome = agent.Errorf(agent.CodeTurnCancelled, "turn %s was interrupted", p.Turn.ID)
	default:
		msg := "turn ended with status " + p.Turn.Status
		if p.Turn.Error != nil && p.Turn.Error.Message != "" {
			msg = p.Turn.Error.Message
		}
		ev.Kind, ev.Code, ev.Message = agent.EventTurnFailed, agent.CodeTurnFailed, msg
		outcome = agent.Errorf(agent.CodeTurnFailed, "%s", msg)
	}
	s.emitFrame(ev)
	if wait != nil {
		wait <- turnOutcome{err: outcome, reported: true}
	}
}

// onTokenUsage accounts tokenUsage.total, the cumulative thread total; tokenUsage.last is an
// increment and is never added (docs/token_accounting.md).
func (s *Session) onTokenUsage(m *jsonl.Message, ev agent.Event) {
	var p tokenUsageParams
	if json.Unmarshal(m.Params, &p) != nil || p.TokenUsage.Total.TotalTokens == nil {
		s.emitFrame(ev)
		return
	}
	total := p.TokenUsage.Total
	snap := agent.TokenSnapshot{
		Total: *total.TotalTokens, Input: total.InputTokens, Cached: total.CachedInputTokens,
		CacheCreation: total.CacheWriteInputTokens, Output: total.OutputTokens,
	}
	s.mu.Lock()
	threadID := p.ThreadID
	if threadID == "" {
		threadID = s.threadID
	}
	delta, accepted := s.account.Observe(threadID, snap)
	totals := s.account.Totals()
	s.mu.Unlock()
	if accepted {
		ev.Kind, ev.Usage, ev.UsageDelta = agent.EventTokenUsage, &totals, &delta
	}
	s.emitFrame(ev)
}

// onItemCompleted feeds the identical-failure breaker, remembers the last agent message, and
// returns the command or file change the item reports, if any.
func (s *Session) onItemCompleted(params json.RawMessage) agent.Activity {
	var p itemCompletedParams
	if json.Unmarshal(params, &p) != nil {
		return nil
	}
	item := &p.Item
	var tripped string
	s.mu.Lock()
	switch item.Type {
	case "agentMessage":
		s.lastMessage = item.Text
	case "commandExecution":
		switch item.Status {
		case "failed":
			args, _ := json.Marshal(map[string]string{"command": item.Command, "cwd": item.Cwd})
			tripped = s.breaker.fail(toolSignature("command", item.Command, args))
		case "completed":
			s.breaker.succeed()
		}
	case "dynamicToolCall", "mcpToolCall":
		switch {
		case item.Success != nil && !*item.Success, item.Status == "failed":
			tripped = s.breaker.fail(toolSignature("tool", item.Tool, item.Arguments))
		case item.Status == "completed":
			s.breaker.succeed()
		}
	}
	s.mu.Unlock()
	if tripped != "" {
		s.endTurn(p.TurnID, agent.Errorf(agent.CodeToolFailureLoop, "%s", tripped))
	}
	return itemActivity(item)
}

// turnOf reads the turnId of request params; "" when they carry none.
func turnOf(params json.RawMessage) string {
	var p struct {
		TurnID string `json:"turnId"`
	}
	_ = json.Unmarshal(params, &p)
	return p.TurnID
}
