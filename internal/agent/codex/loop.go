package codex

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// maxLineBytes is the longest stdout line the adapter accepts (SPEC §10.1 recommends 10 MB).
const maxLineBytes = jsonl.DefaultMaxLineBytes

// handleLine acts on one stdout line: a response, a server request, a notification, or a
// line that is not a JSON-RPC message at all.
func (s *Session) handleLine(it jsonl.Item[jsonl.Frame]) {
	s.st.frameTime = it.At
	if it.Err != nil {
		s.handleBadLine(it)
		return
	}
	m := &it.Value
	switch {
	case m.IsResponse():
		if !s.rpc.Deliver(&m.Message) {
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

// handleBadLine reports a line that is no frame: over the cap, or not a JSON-RPC object.
func (s *Session) handleBadLine(it jsonl.Item[jsonl.Frame]) {
	var tooLong *jsonl.LineTooLongError
	if errors.As(it.Err, &tooLong) {
		s.emitFrame(agent.Event{Kind: agent.EventMalformed, Message: tooLong.Error(), Raw: tooLong.Head, RawTruncated: true})
		return
	}
	s.st.faults.noteMalformed(it.Line)
	s.emitFrame(agent.Event{Kind: agent.EventMalformed, Message: it.Err.Error(), Raw: eventRaw(it.Line), RawTruncated: len(it.Line) > eventRawBytes})
}

// eventRaw is at most eventRawBytes of line for an event, without a copy: an event's Raw is
// valid only during the sink's call (agent.Event), which the line outlives.
func eventRaw(line []byte) []byte {
	n := min(len(line), eventRawBytes)
	return line[:n:n]
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

// exitError attaches the stderr tail and the bad frames seen and, when bash could not find
// the agent command before the handshake finished, reclassifies the exit as codex_not_found.
// st is the owner's state: the owner passes its own, other goroutines call it through do.
func (s *Session) exitError(st *sessionState, e *agent.Error, stderrTail string) *agent.Error {
	e.StderrTail = stderrTail
	e.Message = st.faults.explain(e.Message)
	if s.opts.Remote != nil {
		s.classifyRemoteExit(st, e, stderrTail)
		return e
	}
	var exit *jsonl.ExitError
	if !st.handshaken && errors.As(s.proc.ExitErr(), &exit) && exit.Kind == jsonl.ExitCode && exit.Code == 127 {
		e.Code = agent.CodeCodexNotFound
		e.Message = fmt.Sprintf("%q was not found by bash %s (exit status 127)", s.opts.Command, s.shellFlag())
	}
	return e
}

// close marks the session dead with err and fails every pending request and the running
// turn. It is the owner's last act.
func (s *Session) close(err error) {
	if s.st.closedErr == nil {
		s.st.closedErr = err
	}
	s.rpc.Close(err)
	s.st.endTurn("", err)
	if !s.st.stopped {
		s.opts.Logger.Warn("codex exited", "pid", s.PID(), "error", err)
	}
	close(s.exited)
}

func (s *Session) handleNotification(m *jsonl.Frame, line []byte) {
	ev := agent.Event{Kind: agent.EventNotification, Method: m.Method, Raw: eventRaw(line), RawTruncated: len(line) > eventRawBytes}
	switch m.Method {
	case "turn/completed":
		s.onTurnCompleted(m, ev)
		return
	case "thread/tokenUsage/updated":
		s.onTokenUsage(m, ev)
		return
	case "account/rateLimits/updated":
		if p, err := paramsOf[rateLimitsParams](m); err == nil && len(p.RateLimits) > 0 {
			s.st.rateLimits = p.RateLimits
			s.st.limits.observe(p.RateLimits)
			ev.Kind, ev.RateLimits = agent.EventRateLimits, p.RateLimits
		}
	case "item/completed":
		ev.Activity = s.onItemCompleted(m)
	case "error":
		if p, err := paramsOf[errorParams](m); err == nil {
			ev.Message = p.Error.Message
			if p.WillRetry {
				ev.Message += " (codex retries)"
			}
		}
	}
	s.emitFrame(ev)
}

func (s *Session) onTurnCompleted(m *jsonl.Frame, ev agent.Event) {
	p, err := paramsOf[turnCompletedParams](m)
	if err != nil {
		ev.Kind, ev.Message = agent.EventMalformed, "turn/completed: "+err.Error()
		s.emitFrame(ev)
		return
	}
	ev.TurnID = p.Turn.ID
	wait, current := s.st.claimTurn(p.Turn.ID)
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
		var info json.RawMessage
		if p.Turn.Error != nil {
			if p.Turn.Error.Message != "" {
				msg = p.Turn.Error.Message
			}
			info = p.Turn.Error.CodexErrorInfo
		}
		failure := s.st.turnFailure(msg, info)
		ev.Kind, ev.Code, ev.Message = agent.EventTurnFailed, failure.Code, msg
		outcome = failure
	}
	s.emitFrame(ev)
	if wait != nil {
		wait <- turnOutcome{err: outcome, reported: true}
	}
}

// onTokenUsage accounts tokenUsage.total, the cumulative thread total; tokenUsage.last is an
// increment and is never added (docs/token_accounting.md).
func (s *Session) onTokenUsage(m *jsonl.Frame, ev agent.Event) {
	p, err := paramsOf[tokenUsageParams](m)
	if err != nil || p.TokenUsage.Total.TotalTokens == nil {
		s.emitFrame(ev)
		return
	}
	total := p.TokenUsage.Total
	snap := agent.TokenSnapshot{
		Total: *total.TotalTokens, Input: total.InputTokens, Cached: total.CachedInputTokens,
		CacheCreation: total.CacheWriteInputTokens, Output: total.OutputTokens,
	}
	threadID := p.ThreadID
	if threadID == "" {
		threadID = s.st.threadID
	}
	delta, accepted := s.st.account.Observe(threadID, snap)
	totals := s.st.account.Totals()
	if accepted {
		ev.Kind, ev.Usage, ev.UsageDelta, ev.Model = agent.EventTokenUsage, &totals, &delta, s.st.model
	}
	s.emitFrame(ev)
}

// onItemCompleted feeds the identical-failure breaker, remembers the last agent message, and
// returns the command or file change the item reports, if any.
func (s *Session) onItemCompleted(m *jsonl.Frame) agent.Activity {
	p, err := paramsOf[itemCompletedParams](m)
	if err != nil {
		return nil
	}
	item := &p.Item
	var tripped string
	switch item.Type {
	case "agentMessage":
		s.st.lastMessage = item.Text
	case "commandExecution":
		switch item.Status {
		case "failed":
			args, _ := json.Marshal(map[string]string{"command": item.Command, "cwd": item.Cwd})
			tripped = s.st.breaker.fail(toolSignature("command", item.Command, args))
		case "completed":
			s.st.breaker.succeed()
		}
	case "dynamicToolCall", "mcpToolCall":
		switch {
		case item.Success != nil && !*item.Success, item.Status == "failed":
			tripped = s.st.breaker.fail(toolSignature("tool", item.Tool, item.Arguments))
		case item.Status == "completed":
			s.st.breaker.succeed()
		}
	}
	if tripped != "" {
		s.st.endTurn(p.TurnID, agent.Errorf(agent.CodeToolFailureLoop, "%s", tripped))
	}
	return itemActivity(item)
}
