package jsonl

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Client is the JSON-RPC side of a Process: it numbers requests, writes them, and matches
// the responses the consumer hands to Deliver with the callers waiting for them.
type Client struct {
	proc         *Process
	writeTimeout time.Duration

	mu      sync.Mutex
	next    int64
	pending map[string]*Call
	closed  error
}

type response struct {
	result json.RawMessage
	err    error
}

// NewClient makes a JSON-RPC client over proc's stdin. A write the child does not take within
// writeTimeout fails.
func NewClient(proc *Process, writeTimeout time.Duration) *Client {
	return &Client{proc: proc, writeTimeout: writeTimeout, pending: map[string]*Call{}}
}

// Call is a request in flight.
type Call struct {
	c      *Client
	Method string
	// ID is the request id as it appears on the wire.
	ID string
	ch chan response
	// observe, when set, sees a successful result in Deliver.
	observe func(result json.RawMessage)
}

// CallTimeoutError reports a request that got no response in time.
type CallTimeoutError struct {
	Method  string
	Timeout time.Duration
}

func (e *CallTimeoutError) Error() string {
	return fmt.Sprintf("no response to %s within %s", e.Method, e.Timeout)
}

// Send writes a request and registers it for its response. It fails with the error Close was
// given once the client is closed, or with the write error.
func (c *Client) Send(method string, params any) (*Call, error) {
	return c.SendObserved(method, params, nil)
}

// SendObserved is Send with observe called on a successful result from Deliver, on the
// consumer's goroutine, before Wait returns: a consumer that must act on a response before it
// handles the next line (record an id that later lines refer to) does it there.
func (c *Client) SendObserved(method string, params any, observe func(result json.RawMessage)) (*Call, error) {
	c.mu.Lock()
	if c.closed != nil {
		err := c.closed
		c.mu.Unlock()
		return nil, err
	}
	c.next++
	id := c.next
	call := &Call{c: c, Method: method, ID: strconv.FormatInt(id, 10), ch: make(chan response, 1), observe: observe}
	c.pending[call.ID] = call
	c.mu.Unlock()
	if err := c.write(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		c.forget(call.ID)
		return nil, err
	}
	return call, nil
}

// Wait blocks until the response arrives, timeout passes or ctx ends. A JSON-RPC error
// response is returned as an *RPCError, a timeout as a *CallTimeoutError.
func (call *Call) Wait(ctx context.Context, timeout time.Duration) (json.RawMessage, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-call.ch:
		return r.result, r.err
	case <-timer.C:
		call.c.forget(call.ID)
		return nil, &CallTimeoutError{Method: call.Method, Timeout: timeout}
	case <-ctx.Done():
		call.c.forget(call.ID)
		return nil, ctx.Err()
	}
}

// Call sends a request and waits for its response (see Send and Wait).
func (c *Client) Call(ctx context.Context, method string, params any, timeout time.Duration) (json.RawMessage, error) {
	call, err := c.Send(method, params)
	if err != nil {
		return nil, err
	}
	return call.Wait(ctx, timeout)
}

func (c *Client) forget(id string) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// Deliver hands a response to the request waiting for it and reports whether one was.
func (c *Client) Deliver(m *Message) bool {
	key := string(m.ID)
	c.mu.Lock()
	call, ok := c.pending[key]
	delete(c.pending, key)
	c.mu.Unlock()
	if !ok {
		return false
	}
	if m.Error != nil {
		call.ch <- response{err: m.Error}
		return true
	}
	if call.observe != nil {
		call.observe(m.Result)
	}
	call.ch <- response{result: m.Result}
	return true
}

// Notify writes a notification.
func (c *Client) Notify(method string, params any) error {
	msg := map[string]any{"method": method}
	if params != nil {
		msg["params"] = params
	}
	return c.write(msg)
}

// Reply answers a request from the peer with a result.
func (c *Client) Reply(id json.RawMessage, result any) error {
	return c.write(map[string]any{"id": id, "result": result})
}

// ReplyError answers a request from the peer with a JSON-RPC error.
func (c *Client) ReplyError(id json.RawMessage, code int64, message string) error {
	return c.write(map[string]any{"id": id, "error": RPCError{Code: code, Message: message}})
}

// Close fails every pending request and every later Send with err.
func (c *Client) Close(err error) {
	c.mu.Lock()
	if c.closed == nil {
		c.closed = err
	}
	pending := c.pending
	c.pending = map[string]*Call{}
	c.mu.Unlock()
	for _, call := range pending {
		call.ch <- response{err: err}
	}
}

func (c *Client) write(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("jsonl: encode message: %w", err)
	}
	return c.proc.WriteLine(b, c.writeTimeout)
}
