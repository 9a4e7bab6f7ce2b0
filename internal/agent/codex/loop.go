package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// protocolLoop handles every stdout line in order until the stream ends, then releases all
// waiters with the reason the process went away.
func (s *Session) protocolLoop() {
	for {
		it, ok := s.queue.pop()
		if !ok {
			break
		}
		if it.over != nil {
			s.emit(agent.Event{
				Kind:    agent.EventMalformed,
				Message: fmt.Sprintf("dropped a %d-byte frame longer than the %d-byte limit", it.over.size, maxLineBytes),
				Raw:     it.over.head, RawTruncated: true,
			})
			continue
		}
		s.handleLine(it.line)
	}
	select {
	case <-s.waitDone:
	case <-time.After(5 * time.Second):
		// Codex closed stdout but kept running: it can no longer talk to us.
		signalTree(s.PID(), processTree(s.PID()), killSignal)
		<-s.waitDone
	}
	s.close(s.exitError(&agent.Error{Code: agent.CodePortExit, Message: s.exitDescription()}))
}

func (s *Session) exitDescription() string {
	select {
	case <-s.waitDone:
	default:
		return "codex stdout closed"
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return "codex exited: " + ee.ProcessState.String()
	}
	if s.waitErr != nil {
		return "codex exited: " + s.waitErr.Error()
	}
	return "codex exited with status 0"
}

// exitError attaches the stderr tail and, when bash could not find the agent command before
// the handshake finished, reclassifies the exit as codex_not_found.
func (s *Session) exitError(e *agent.Error) *agent.Error {
	e.StderrTail = s.stderrTail.String()
	s.mu.Lock()
	handshaken := s.handshaken
	s.mu.Unlock()
	var ee *exec.ExitError
	if !handshaken && errors.As(s.waitErr, &ee) && ee.ExitCode() == 127 {
		e.Code = agent.CodeCodexNotFound
		e.Message = fmt.Sprintf("%q was not found by bash -lc (exit status 127)", s.opts.Command)
	}
	return e
}

// close marks the session dead with err and fails every pending request and the running turn.
func (s *Session) close(err error) {
	s.mu.Lock()
	if s.closedErr == nil {
		s.closedErr = err
	}
	pending := s.pending
	s.pending = map[string]chan response{}
	s.mu.Unlock()
	for _, ch := range pending {
		ch <- response{err: err}
	}
	s.endTurn(err)
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if !stopped {
		s.opts.Logger.Warn("codex exited", "pid", s.PID(), "error", err)
	}
	close(s.exited)
}

// endTurn delivers the outcome of the running turn; only the first outcome counts.
func (s *Session) endTurn(err error) {
	s.mu.Lock()
	ch := s.turnWait
	s.turnWait = nil
	s.mu.Unlock()
	if ch != nil {
		ch <- turnOutcome{err: err}
	}
}

func (s *Session) handleLine(line []byte) {
	f, err := decodeFrame(line)
	if err != nil {
		s.emit(agent.Event{Kind: agent.EventMalformed, Message: err.Error(), Raw: truncated(line), RawTruncated: len(line) > defaultEventRawBytes})
		return
	}
	switch {
	case f.isResponse():
		if !s.deliver(&f) {
			s.emit(agent.Event{Kind: agent.EventOtherMessage, Message: "response to an unknown request id " + string(f.ID), Raw: truncated(line)})
		}
	case f.isRequest():
		s.handleServerRequest(&f, line)
	case f.isNotification():
		s.handleNotification(&f, line)
	default:
		s.emit(agent.Event{Kind: agent.EventOtherMessage, Message: "frame has neither a method nor an id", Raw: truncated(line)})
	}
}

func truncated(line []byte) []byte {
	n := min(len(line), defaultEventRawBytes)
	return append([]byte(nil), line[:n]...)
}

func (s *Session) handleNotification(f *frame, line []byte) {
	ev := agent.Event{Kind: agent.EventNotification, Method: f.Method, Raw: truncated(line), RawTruncated: len(line) > defaultEventRawBytes}
	switch f.Method {
	case "turn/completed":
		s.onTurnCompleted(f, ev)
		return
	case "thread/tokenUsage/updated":
		s.onTokenUsage(f, ev)
		return
	case "account/rateLimits/updated":
		var p rateLimitsParams
		if json.Unmarshal(f.Params, &p) == nil && len(p.RateLimits) > 0 {
			s.mu.Lock()
			s.rateLimits = append(json.RawMessage(nil), p.RateLimits...)
			s.mu.Unlock()
			ev.Kind, ev.RateLimits = agent.EventRateLimits, p.RateLimits
		}
	case "item/completed":
		s.onItemCompleted(f)
	case "error":
		var p errorParams
		if json.Unmarshal(f.Params, &p) == nil {
			ev.Message = p.Error.Message
		}
	}
	s.emit(ev)
}

func (s *Session) onTurnCompleted(f *frame, ev agent.Event) {
	var p turnCompletedParams
	if err := json.Unmarshal(f.Params, &p); err != nil {
		ev.Kind, ev.Message = agent.EventMalformed, "turn/completed: "+err.Error()
		s.emit(ev)
		return
	}
	s.mu.Lock()
	current := s.turnID
	s.mu.Unlock()
	ev.TurnID = p.Turn.ID
	if p.Turn.ID != current {
		s.emit(ev)
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
	s.emit(ev)
	s.endTurn(outcome)
}

func (s *Session) onTokenUsage(f *frame, ev agent.Event) {
	var p tokenUsageParams
	if err := json.Unmarshal(f.Params, &p); err != nil || p.TokenUsage == nil || p.TokenUsage.Total == nil {
		s.emit(ev)
		return
	}
	t := p.TokenUsage.Total
	snap := agent.TokenSnapshot{
		Input: t.InputTokens, Cached: t.CachedInputTokens, CacheCreation: t.CacheWriteInputTokens,
		Output: t.OutputTokens, Total: t.TotalTokens,
	}
	s.mu.Lock()
	thread := p.ThreadID
	if thread == "" {
		thread = s.threadID
	}
	delta, accepted := s.account.Observe(thread, snap)
	totals := s.account.Totals()
	s.mu.Unlock()
	if accepted {
		ev.Kind, ev.Usage, ev.UsageDelta = agent.EventTokenUsage, &totals, &delta
	}
	s.emit(ev)
}

// onItemCompleted feeds the identical-failure breaker and remembers the last agent message.
func (s *Session) onItemCompleted(f *frame) {
	var p itemParams
	if json.Unmarshal(f.Params, &p) != nil {
		return
	}
	it := p.Item
	var tripped string
	s.mu.Lock()
	switch it.Type {
	case "agentMessage":
		s.lastMessage = it.Text
	case "commandExecution":
		switch it.Status {
		case "failed":
			args, _ := json.Marshal(map[string]string{"command": it.Command, "cwd": it.Cwd})
			tripped = s.breaker.fail(toolSignature("command", it.Command, args))
		case "completed":
			s.breaker.succeed()
		}
	case "dynamicToolCall", "mcpToolCall":
		switch {
		case it.Success != nil && !*it.Success, it.Status == "failed":
			tripped = s.breaker.fail(toolSignature("tool", it.Tool, it.Arguments))
		case it.Status == "completed":
			s.breaker.succeed()
		}
	}
	s.mu.Unlock()
	if tripped != "" {
		s.endTurn(agent.Errorf(agent.CodeToolFailureLoop, "%s", tripped))
	}
}
