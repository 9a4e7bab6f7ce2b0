package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
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
		s.handleQueued(it)
		it.done()
	}
	select {
	case <-s.waitDone:
	case <-time.After(5 * time.Second):
		// Codex closed stdout but kept running: it can no longer talk to us.
		signalTree(s.PID(), processTree(s.PID()), killSignal)
		<-s.waitDone
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

// handleQueued handles one batch of stdout lines, or reports a line that was too long.
func (s *Session) handleQueued(it queued) {
	s.frameTime = it.at
	if it.over != nil {
		s.emitFrame(agent.Event{
			Kind:    agent.EventMalformed,
			Message: fmt.Sprintf("dropped a %d-byte frame longer than the %d-byte limit", it.over.size, maxLineBytes),
			Raw:     it.over.head, RawTruncated: true,
		})
		return
	}
	for i := range it.frames {
		s.handleDecoded(&it.frames[i])
	}
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

// stderrSettle bounds how long an exit error waits for the stderr drain: stdout and the exit
// status can arrive before the last stderr bytes are read, but a grandchild holding the pipe
// open must not delay the error for long.
const stderrSettle = time.Second

// awaitStderr waits, within stderrSettle, for the stderr drain to reach EOF.
func (s *Session) awaitStderr() {
	timer := time.NewTimer(stderrSettle)
	defer timer.Stop()
	select {
	case <-s.stderrDone:
	case <-timer.C:
	}
}

// exitError attaches the stderr tail and, when bash could not find the agent command before
// the handshake finished, reclassifies the exit as codex_not_found.
func (s *Session) exitError(e *agent.Error) *agent.Error {
	s.awaitStderr()
	e.StderrTail = s.stderrTail.String()
	e.Message = s.faults.explain(e.Message)
	s.mu.Lock()
	handshaken := s.handshaken
	s.mu.Unlock()
	var waitErr error
	select {
	case <-s.waitDone:
		waitErr = s.waitErr
	default:
	}
	var ee *exec.ExitError
	if !handshaken && errors.As(waitErr, &ee) && ee.ExitCode() == 127 {
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
	pending := s.pending
	s.pending = map[string]chan response{}
	s.mu.Unlock()
	for _, ch := range pending {
		ch <- response{err: err}
	}
	s.endTurn("", err)
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
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

// handleDecoded acts on one decoded line: a response, a server request or a notification.
func (s *Session) handleDecoded(d *decodedLine) {
	f, line, err := &d.frame, d.line, d.err
	if err != nil {
		s.faults.noteMalformed(line)
		s.emitFrame(agent.Event{Kind: agent.EventMalformed, Message: err.Error(), Raw: truncated(line), RawTruncated: len(line) > eventRawBytes})
		return
	}
	switch {
	case f.isResponse():
		if !s.deliver(f) {
			s.emitFrame(agent.Event{Kind: agent.EventOtherMessage, Message: "response to an unknown request id " + string(f.ID), Raw: truncated(line)})
		}
	case f.isRequest():
		s.handleServerRequest(f, line)
	case f.isNotification():
		s.handleNotification(d)
	default:
		s.emitFrame(agent.Event{Kind: agent.EventOtherMessage, Message: "frame has neither a method nor an id", Raw: truncated(line)})
	}
}

// truncated returns at most eventRawBytes of line. It aliases the read buffer, so events
// carry frames without a copy per notification; the buffer is reused once the batch is
// handled, which is why Event.Raw is only valid during the Events callback.
func truncated(line []byte) []byte {
	n := min(len(line), eventRawBytes)
	return line[:n:n]
}

func (s *Session) handleNotification(d *decodedLine) {
	f, line := &d.frame, d.line
	ev := agent.Event{Kind: agent.EventNotification, Method: f.Method, Raw: truncated(line), RawTruncated: len(line) > eventRawBytes}
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
		ev.Activity = s.onItemCompleted(f.Params)
	case "error":
		var p errorParams
		if json.Unmarshal(f.Params, &p) == nil {
			ev.Message = p.Error.Message
			if p.WillRetry {
				ev.Message += " (codex retries)"
			}
		}
	}
	s.emitFrame(ev)
}

func (s *Session) onTurnCompleted(f *frame, ev agent.Event) {
	var p turnCompletedParams
	if err := json.Unmarshal(f.Params, &p); err != nil {
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
func (s *Session) onTokenUsage(f *frame, ev agent.Event) {
	var thread [1][]byte
	var total [5][]byte
	pick(f.Params, thread[:], "threadId")
	// tokenUsage and total are read from where they start, without first skipping over them.
	pick(valueTail(valueTail(f.Params, "tokenUsage"), "total"), total[:],
		"totalTokens", "inputTokens", "cachedInputTokens", "cacheWriteInputTokens", "outputTokens")
	if total[0] == nil {
		s.emitFrame(ev)
		return
	}
	snap := agent.TokenSnapshot{
		Total: intValue(total[0]), Input: intValue(total[1]), Cached: intValue(total[2]),
		CacheCreation: intValue(total[3]), Output: intValue(total[4]),
	}
	threadID := stringValue(thread[0])
	s.mu.Lock()
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

func intValue(raw []byte) int64 {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// onItemCompleted feeds the identical-failure breaker, remembers the last agent message, and
// returns the command or file change the item reports, if any. Completed items can carry
// large command output, so only the few members the adapter needs are picked out instead of
// decoding the whole item.
func (s *Session) onItemCompleted(params []byte) agent.Activity {
	it := readCompletedItem(params)
	item, typ, status := it.body, it.typ, it.status
	var tripped string
	s.mu.Lock()
	switch typ {
	case "agentMessage":
		s.lastMessage = stringValue(members(item, "text")[0])
	case "commandExecution":
		switch status {
		case "failed":
			m := members(item, "command", "cwd")
			command := stringValue(m[0])
			args, _ := json.Marshal(map[string]string{"command": command, "cwd": stringValue(m[1])})
			tripped = s.breaker.fail(toolSignature("command", command, args))
		case "completed":
			s.breaker.succeed()
		}
	case "dynamicToolCall", "mcpToolCall":
		m := members(item, "tool", "arguments", "success")
		switch {
		case string(m[2]) == "false", status == "failed":
			tripped = s.breaker.fail(toolSignature("tool", stringValue(m[0]), m[1]))
		case status == "completed":
			s.breaker.succeed()
		}
	}
	s.mu.Unlock()
	if tripped != "" {
		s.endTurn(turnOf(params), agent.Errorf(agent.CodeToolFailureLoop, "%s", tripped))
	}
	return itemActivity(typ, status, item)
}

// turnOf reads the turnId of notification or request params; "" when they carry none.
func turnOf(params []byte) string {
	var turn [1][]byte
	pick(params, turn[:], "turnId")
	return stringValue(turn[0])
}
