package codex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// send writes one message as a line on Codex's stdin. A write that cannot complete within the
// read timeout (Codex stopped reading) fails instead of blocking the caller forever.
func (s *Session) send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode codex message: %w", err)
	}
	b = append(b, '\n')
	err = s.write(b)
	switch {
	case err == nil || errors.As(err, new(*agent.Error)):
		return err
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &agent.Error{Code: agent.CodeResponseTimeout, Message: "codex stopped reading its stdin", Err: err}
	}
	// Built outside writeMu: exitError may wait for the stderr drain.
	return s.exitError(&agent.Error{Code: agent.CodePortExit, Message: "write to codex", Err: err})
}

// write puts one encoded line on Codex's stdin, whole, under writeMu.
func (s *Session) write(line []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.stdin == nil {
		return agent.Errorf(agent.CodeSessionClosed, "codex is not running")
	}
	_ = s.stdin.SetWriteDeadline(time.Now().Add(s.opts.ReadTimeout))
	_, err := s.stdin.Write(line)
	return err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// call sends a request and waits up to the read timeout for its response. out may be nil.
func (s *Session) call(ctx context.Context, method string, params any, out any) error {
	id := s.nextID.Add(1)
	key := strconv.FormatInt(id, 10)
	ch := make(chan response, 1)
	s.mu.Lock()
	if s.closedErr != nil {
		err := s.closedErr
		s.mu.Unlock()
		return err
	}
	s.pending[key] = ch
	if method == "turn/start" {
		s.turnStartID = key
	}
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.pending, key)
		s.mu.Unlock()
	}
	if err := s.send(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		forget()
		return err
	}
	timer := time.NewTimer(s.opts.ReadTimeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			return r.err
		}
		if out != nil {
			if err := json.Unmarshal(r.result, out); err != nil {
				return &agent.Error{Code: agent.CodeResponseError, Message: method + " returned an unreadable result", Err: err}
			}
		}
		return nil
	case <-timer.C:
		forget()
		e := agent.Errorf(agent.CodeResponseTimeout, "%s", s.faults.explain(fmt.Sprintf("no response to %s within %s", method, s.opts.ReadTimeout)))
		e.StderrTail = s.stderrTail.String()
		return e
	case <-ctx.Done():
		forget()
		return &agent.Error{Code: agent.CodeTurnCancelled, Message: method + " abandoned", Err: ctx.Err()}
	}
}

// deliver hands a response frame to the request waiting for it.
func (s *Session) deliver(f *frame) bool {
	key := string(f.ID)
	s.mu.Lock()
	ch, ok := s.pending[key]
	delete(s.pending, key)
	if ok && key == s.turnStartID {
		// Record the turn id before any later frame is processed, so a turn/completed that
		// follows immediately is matched to this turn.
		var r turnStartResult
		if json.Unmarshal(f.Result, &r) == nil {
			s.turnID = r.Turn.ID
			s.publishIDsLocked()
		}
		s.turnStartID = ""
	}
	s.mu.Unlock()
	if !ok {
		return false
	}
	if f.Error != nil {
		var e rpcError
		_ = json.Unmarshal(f.Error, &e)
		ch <- response{err: agent.Errorf(agent.CodeResponseError, "codex error %d: %s", e.Code, e.Message)}
		return true
	}
	ch <- response{result: append(json.RawMessage(nil), f.Result...)}
	return true
}

// reply answers a server request with a result.
func (s *Session) reply(id json.RawMessage, result any) {
	if err := s.send(map[string]any{"id": id, "result": result}); err != nil {
		s.opts.Logger.Warn("answer codex request", "error", err)
	}
}

// replyError answers a server request with a JSON-RPC error.
func (s *Session) replyError(id json.RawMessage, code int, message string) {
	if err := s.send(map[string]any{"id": id, "error": map[string]any{"code": code, "message": message}}); err != nil {
		s.opts.Logger.Warn("answer codex request", "error", err)
	}
}
