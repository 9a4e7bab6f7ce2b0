package mcpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// fakeRegistry offers two tools; echo succeeds with its arguments, fail fails. onCall, when
// set, runs first (to block or panic).
type fakeRegistry struct {
	mu     sync.Mutex
	calls  []string
	onCall func(name string)
}

func (f *fakeRegistry) Specs() []agent.ToolSpec {
	return []agent.ToolSpec{
		{Name: "t_echo", Description: "echoes", InputSchema: json.RawMessage(`{"type":"object","properties":{"x":{"type":"string"}}}`)},
		{Name: "t_fail", Description: "fails"},
	}
}

func (f *fakeRegistry) Call(_ context.Context, name string, args json.RawMessage) agent.ToolResult {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	hook := f.onCall
	f.mu.Unlock()
	if hook != nil {
		hook(name)
	}
	if name == "t_fail" {
		return agent.ToolResult{Success: false, Text: "it failed"}
	}
	return agent.ToolResult{Success: true, Text: "echo " + string(args)}
}

func (f *fakeRegistry) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func startServer(t *testing.T, reg agent.ToolRegistry, opts Options) *Server {
	t.Helper()
	if opts.Root == "" {
		opts.Root = shortTempDir(t)
	}
	s, err := Start(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// shortTempDir is a temp dir whose path leaves room for a socket path; t.TempDir can be long.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mcpt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// client is a raw connection speaking newline-delimited JSON-RPC.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, e Endpoint) *client {
	t.Helper()
	conn, err := net.DialTimeout(e.Network, e.Address, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	c := dialRaw(t, s.Endpoint())
	c.send(string(Preamble(s.Token())))
	return c
}

func (c *client) send(text string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(text)); err != nil {
		c.t.Fatal(err)
	}
}

type reply struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// recv reads one reply line, failing after five seconds.
func (c *client) recv() reply {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		c.t.Fatalf("read reply: %v (got %q)", err, line)
	}
	var r reply
	if err := json.Unmarshal(line, &r); err != nil {
		c.t.Fatalf("reply %q: %v", line, err)
	}
	return r
}

// call sends a request and returns its reply.
func (c *client) call(id int, method, params string) reply {
	c.t.Helper()
	if params == "" {
		params = "{}"
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": json.RawMessage(params)})
	c.send(string(b) + "\n")
	return c.recv()
}

// expectClosed asserts the server closes the connection without writing anything.
func (c *client) expectClosed(within time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(within))
	b, err := io.ReadAll(c.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open after %s", within)
	}
	if len(b) != 0 {
		c.t.Fatalf("server wrote %q to an unauthenticated connection", b)
	}
}
