package codex

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// sendError gives a failed write to Codex its code: a closed session keeps its own error, a
// write Codex did not take in time is a response timeout, anything else means Codex is gone.
// It asks the owner for the state it explains an exit with, so the owner never calls it.
func (s *Session) sendError(err error) error {
	switch {
	case err == nil || errors.As(err, new(*agent.Error)):
		return err
	case errors.Is(err, jsonl.ErrStdinClosed):
		return agent.Errorf(agent.CodeSessionClosed, "codex is not running")
	case isTimeout(err):
		return &agent.Error{Code: agent.CodeResponseTimeout, Message: "codex stopped reading its stdin", Err: err}
	}
	tail := s.proc.StderrTail()
	e := &agent.Error{Code: agent.CodePortExit, Message: "write to codex", Err: err}
	s.do(func(st *sessionState) { e = s.exitError(st, e, tail) })
	return e
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// call sends a request and waits up to the read timeout for its response. out may be nil.
func (s *Session) call(ctx context.Context, method string, params any, out any) error {
	return s.callWithin(ctx, method, params, out, s.opts.ReadTimeout)
}

// callWithin is call with its own wait for the response.
func (s *Session) callWithin(ctx context.Context, method string, params any, out any, timeout time.Duration) error {
	c, err := s.rpc.Send(method, params)
	if err != nil {
		return s.sendError(err)
	}
	return s.awaitWithin(ctx, c, out, timeout)
}

// await waits up to the read timeout for the response to c and decodes its result into out,
// which may be nil.
func (s *Session) await(ctx context.Context, c *jsonl.Call, out any) error {
	return s.awaitWithin(ctx, c, out, s.opts.ReadTimeout)
}

func (s *Session) awaitWithin(ctx context.Context, c *jsonl.Call, out any, wait time.Duration) error {
	result, err := c.Wait(ctx, wait)
	var rpcErr *jsonl.RPCError
	var timeout *jsonl.CallTimeoutError
	switch {
	case errors.As(err, &rpcErr):
		return agent.Errorf(agent.CodeResponseError, "codex error %d: %s", rpcErr.Code, rpcErr.Message)
	case errors.As(err, &timeout):
		e := agent.Errorf(agent.CodeResponseTimeout, "%s", s.explainFaults(timeout.Error()))
		e.StderrTail = s.proc.StderrTail()
		return e
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &agent.Error{Code: agent.CodeTurnCancelled, Message: c.Method + " abandoned", Err: err}
	case err != nil:
		return err
	}
	if out != nil {
		if err := json.Unmarshal(result, out); err != nil {
			return &agent.Error{Code: agent.CodeResponseError, Message: c.Method + " returned an unreadable result", Err: err}
		}
	}
	return nil
}

// send writes a notification to Codex.
func (s *Session) send(method string, params any) error {
	return s.sendError(s.rpc.Notify(method, params))
}

// reply answers a server request with a result. It runs on the owner and on tool-call
// goroutines; a failed answer is only logged, since the stream's end reports a Codex that
// went away.
func (s *Session) reply(id json.RawMessage, result any) {
	if err := s.rpc.Reply(id, result); err != nil {
		s.opts.Logger.Warn("answer codex request", "error", err)
	}
}

// replyError answers a server request with a JSON-RPC error, like reply.
func (s *Session) replyError(id json.RawMessage, code int64, message string) {
	if err := s.rpc.ReplyError(id, code, message); err != nil {
		s.opts.Logger.Warn("answer codex request", "error", err)
	}
}
