package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

func TestRoundTripOverUnixSocket(t *testing.T) {
	reg := &fakeRegistry{}
	var logs bytes.Buffer
	var logMu sync.Mutex
	s := startServer(t, reg, Options{Version: "1.2.3", Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))})
	if got := s.Endpoint().Network; got != "unix" {
		t.Fatalf("network = %s, want unix", got)
	}
	info, err := os.Stat(s.Endpoint().Address)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode = %o, want 600", perm)
	}
	dirInfo, err := os.Stat(filepath.Dir(s.Endpoint().Address))
	if err != nil {
		t.Fatal(err)
	}
	if perm := dirInfo.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket dir mode = %o, want 700", perm)
	}

	c := dial(t, s)
	init := c.call(1, "initialize", `{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"0"}}`)
	want := `{"capabilities":{"tools":{}},"protocolVersion":"2025-03-26","serverInfo":{"name":"symphony","version":"1.2.3"}}`
	if string(init.Result) != want || string(init.ID) != "1" {
		t.Fatalf("initialize = id %s %s, want %s", init.ID, init.Result, want)
	}
	if got := c.call(2, "initialize", "").Result; !strings.Contains(string(got), `"protocolVersion":"2025-06-18"`) {
		t.Errorf("initialize without a version = %s, want the default 2025-06-18", got)
	}
	// A notification gets no reply: the next line read must answer the ping after it.
	c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n")
	if r := c.call(3, "ping", ""); string(r.ID) != "3" || r.Error != nil {
		t.Fatalf("ping after a notification = %+v", r)
	}

	list := c.call(4, "tools/list", "")
	wantList := `{"tools":[{"name":"t_echo","description":"echoes","inputSchema":{"type":"object","properties":{"x":{"type":"string"}}}},{"name":"t_fail","description":"fails","inputSchema":{"type":"object"}}]}`
	if string(list.Result) != wantList {
		t.Fatalf("tools/list = %s\nwant %s", list.Result, wantList)
	}

	tests := []struct {
		params, want string
	}{
		{`{"name":"t_echo","arguments":{"x":"secret-payload-value"}}`, `{"content":[{"type":"text","text":"echo {\"x\":\"secret-payload-value\"}"}],"isError":false}`},
		{`{"name":"t_echo"}`, `{"content":[{"type":"text","text":"echo {}"}],"isError":false}`},
		{`{"name":"t_fail","arguments":{}}`, `{"content":[{"type":"text","text":"it failed"}],"isError":true}`},
		{`{"name":"t_missing","arguments":{}}`, `{"content":[{"type":"text","text":"unsupported tool \"t_missing\"; this session offers: t_echo, t_fail"}],"isError":true}`},
	}
	for i, tt := range tests {
		r := c.call(10+i, "tools/call", tt.params)
		if r.Error != nil || string(r.Result) != tt.want {
			t.Errorf("tools/call %s = %s %+v\nwant %s", tt.params, r.Result, r.Error, tt.want)
		}
	}
	if got := reg.callCount(); got != 3 {
		t.Errorf("registry called %d times, want 3 (an unlisted tool is never passed on)", got)
	}

	logMu.Lock()
	text := logs.String()
	logMu.Unlock()
	if strings.Contains(text, "secret-payload-value") {
		t.Errorf("log carries a payload: %s", text)
	}
	for _, want := range []string{`"method":"tools/call"`, `"tool":"t_echo"`, `"request_id":"10"`, `"request_bytes":`, `"transport":"unix"`} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s:\n%s", want, text)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestConnectionsWithoutTheTokenGetNothing(t *testing.T) {
	ping := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t_echo","arguments":{}}}` + "\n"
	tests := []struct {
		name, send string
	}{
		{"no preamble", ping},
		{"wrong token", "symphony-session-token: " + strings.Repeat("A", 43) + "\r\n\r\n" + ping},
		{"empty token", "symphony-session-token: \n\n" + ping},
		{"token without blank line", "symphony-session-token: %s\n" + ping},
		{"silence", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &fakeRegistry{}
			s := startServer(t, reg, Options{AuthTimeout: 300 * time.Millisecond})
			c := dialRaw(t, s.Endpoint())
			if tt.send != "" {
				c.send(strings.Replace(tt.send, "%s", s.Token(), 1))
			}
			c.expectClosed(3 * time.Second)
			if n := reg.callCount(); n != 0 {
				t.Errorf("registry called %d times by an unauthenticated connection", n)
			}
			// The right token still works on the same server.
			if r := dial(t, s).call(2, "ping", ""); r.Error != nil {
				t.Errorf("ping with the token = %+v", r)
			}
		})
	}
}

func TestTwoConnectionsRunConcurrently(t *testing.T) {
	var arrived sync.WaitGroup
	arrived.Add(2)
	release := make(chan struct{})
	reg := &fakeRegistry{onCall: func(string) {
		arrived.Done()
		<-release
	}}
	s := startServer(t, reg, Options{})
	a, b := dial(t, s), dial(t, s)
	call := `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"t_echo","arguments":{}}}` + "\n"
	a.send(fmt.Sprintf(call, 1))
	b.send(fmt.Sprintf(call, 2))
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	select {
	case <-both:
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the two connections' calls did not run at the same time")
	}
	close(release)
	for i, c := range []*client{a, b} {
		if r := c.recv(); string(r.ID) != fmt.Sprint(i+1) || r.Error != nil {
			t.Errorf("connection %d reply = %+v", i+1, r)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	tests := []struct {
		name, frame string
		wantID      string
		wantCode    int
	}{
		{"truncated json keeps its id", `{"jsonrpc":"2.0","id":7,"method":"tools/li`, "7", codeParseError},
		{"string id recovered", `{"id":"abc","method":}`, `"abc"`, codeParseError},
		{"no id to recover", `not json at all`, "null", codeParseError},
		{"unknown method", `{"jsonrpc":"2.0","id":3,"method":"resources/list"}`, "3", codeMethodNotFound},
		{"batch", `[{"jsonrpc":"2.0","id":4,"method":"ping"}]`, "4", codeInvalidRequest},
		{"wrong version", `{"jsonrpc":"1.0","id":5,"method":"ping"}`, "5", codeInvalidRequest},
		{"call without a name", `{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{}}`, "6", codeInvalidParams},
	}
	s := startServer(t, &fakeRegistry{}, Options{})
	c := dial(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.send(tt.frame + "\n")
			r := c.recv()
			if r.Error == nil || r.Error.Code != tt.wantCode || string(r.ID) != tt.wantID {
				t.Fatalf("reply = id %s %+v, want id %s code %d", r.ID, r.Error, tt.wantID, tt.wantCode)
			}
		})
	}
	if r := c.call(99, "ping", ""); r.Error != nil {
		t.Fatalf("connection stopped answering after protocol errors: %+v", r)
	}
	// An unknown method's message names it.
	if r := c.call(100, "resources/list", ""); !strings.Contains(r.Error.Message, "resources/list") {
		t.Errorf("unknown method message = %q", r.Error.Message)
	}
}

func TestPanickingRegistryIsAnInternalErrorAndTheConnectionLives(t *testing.T) {
	reg := &fakeRegistry{onCall: func(name string) {
		if name == "t_fail" {
			panic("registry exploded")
		}
	}}
	c := dial(t, startServer(t, reg, Options{}))
	r := c.call(1, "tools/call", `{"name":"t_fail","arguments":{}}`)
	if r.Error == nil || r.Error.Code != codeInternalError || string(r.ID) != "1" {
		t.Fatalf("panicking call = %+v, want -32603 for id 1", r)
	}
	if r := c.call(2, "tools/call", `{"name":"t_echo","arguments":{}}`); r.Error != nil || !strings.Contains(string(r.Result), "echo") {
		t.Fatalf("call after the panic = %s %+v", r.Result, r.Error)
	}
}

func TestOversizeFrameIsRefusedAndTheStreamContinues(t *testing.T) {
	c := dial(t, startServer(t, &fakeRegistry{}, Options{MaxFrameBytes: 1024}))
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t_echo","arguments":{"x":"` + strings.Repeat("y", 200_000) + `"}}}`
	c.send(big + "\n")
	r := c.recv()
	if r.Error == nil || r.Error.Code != codeInvalidRequest || !strings.Contains(r.Error.Message, "1024-byte limit") {
		t.Fatalf("oversize frame reply = %+v", r)
	}
	if r := c.call(2, "ping", ""); r.Error != nil || string(r.ID) != "2" {
		t.Fatalf("ping after an oversize frame = %+v", r)
	}
}

func TestUnixBindRefusedFallsBackToTCP(t *testing.T) {
	root := shortTempDir(t)
	var asked []string
	listen := func(network, address string) (net.Listener, error) {
		asked = append(asked, network)
		if network == "unix" {
			return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EPERM)}
		}
		return net.Listen(network, address)
	}
	s := startServer(t, &fakeRegistry{}, Options{Root: root, listen: listen})
	if e := s.Endpoint(); e.Network != "tcp" || !strings.HasPrefix(e.Address, "127.0.0.1:") {
		t.Fatalf("endpoint = %+v, want loopback tcp", e)
	}
	if strings.Join(asked, ",") != "unix,tcp" {
		t.Errorf("listen calls = %v", asked)
	}
	if left, _ := filepath.Glob(filepath.Join(root, dirPrefix+"*")); len(left) != 0 {
		t.Errorf("socket dir left behind after the fallback: %v", left)
	}
	if r := dial(t, s).call(1, "tools/list", ""); r.Error != nil {
		t.Fatalf("tools/list over the fallback = %+v", r)
	}
	if got := strings.Join(s.ShimArgs(), " "); got != "mcp-shim --tcp "+s.Endpoint().Address {
		t.Errorf("shim args = %s", got)
	}
}

func TestOtherBindFailuresDoNotFallBack(t *testing.T) {
	listen := func(network, _ string) (net.Listener, error) {
		return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	if _, err := Start(&fakeRegistry{}, Options{Root: shortTempDir(t), listen: listen}); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Start = %v, want the bind error", err)
	}
}

func TestTCPTransport(t *testing.T) {
	root := shortTempDir(t)
	s := startServer(t, &fakeRegistry{}, Options{Root: root, Transport: TransportTCP})
	if e := s.Endpoint(); e.Network != "tcp" || !strings.HasPrefix(e.Address, "127.0.0.1:") {
		t.Fatalf("endpoint = %+v", e)
	}
	if left, _ := filepath.Glob(filepath.Join(root, dirPrefix+"*")); len(left) != 0 {
		t.Errorf("tcp mode made a socket dir: %v", left)
	}
	if r := dial(t, s).call(1, "tools/call", `{"name":"t_echo","arguments":{}}`); r.Error != nil {
		t.Fatalf("tools/call over tcp = %+v", r)
	}
	// The preamble may end in bare newlines as well as CRLF.
	lf := dialRaw(t, s.Endpoint())
	lf.send("symphony-session-token: " + s.Token() + "\n\n")
	if r := lf.call(2, "ping", ""); r.Error != nil {
		t.Fatalf("ping after an LF preamble = %+v", r)
	}
	c := dialRaw(t, s.Endpoint())
	c.send("symphony-session-token: wrong\r\n\r\n")
	c.expectClosed(3 * time.Second)
}

func TestBadOptions(t *testing.T) {
	long := filepath.Join(shortTempDir(t), strings.Repeat("d", 100))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"socket path too long", Options{Root: long}, "over the"},
		{"unknown transport", Options{Transport: "udp"}, `transport "udp" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(&fakeRegistry{}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(long, dirPrefix+"*")); len(left) != 0 {
		t.Errorf("refused socket path left its dir: %v", left)
	}
	if _, err := Start(nil, Options{}); err == nil {
		t.Error("Start without a registry succeeded")
	}
}

func TestCloseEndsConnectionsAndRemovesTheDir(t *testing.T) {
	s := startServer(t, &fakeRegistry{}, Options{})
	dir := filepath.Dir(s.Endpoint().Address)
	c := dial(t, s)
	if r := c.call(1, "ping", ""); r.Error != nil {
		t.Fatal(r.Error)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("socket dir %s still there after Close (%v)", dir, err)
	}
	c.expectClosed(3 * time.Second)
	if _, err := net.DialTimeout("unix", s.Endpoint().Address, time.Second); err == nil {
		t.Error("socket still accepts after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestShimArgsForUnix(t *testing.T) {
	s := startServer(t, &fakeRegistry{}, Options{})
	if got := strings.Join(s.ShimArgs(), " "); got != "mcp-shim --socket "+s.Endpoint().Address {
		t.Errorf("shim args = %s", got)
	}
	if n := len(s.Token()); n != 43 {
		t.Errorf("token is %d characters, want 43 (32 bytes base64url)", n)
	}
	if other := startServer(t, &fakeRegistry{}, Options{}); other.Token() == s.Token() {
		t.Error("two sessions share a token")
	}
}

// blockingRegistry's calls wait for their context, so Close must cancel them to finish.
type blockingRegistry struct {
	fakeRegistry
	started  chan struct{}
	canceled chan struct{}
}

func (b *blockingRegistry) Call(ctx context.Context, _ string, _ json.RawMessage) agent.ToolResult {
	close(b.started)
	<-ctx.Done()
	close(b.canceled)
	return agent.ToolResult{Text: "canceled"}
}

func TestCloseCancelsRunningCalls(t *testing.T) {
	reg := &blockingRegistry{started: make(chan struct{}), canceled: make(chan struct{})}
	s := startServer(t, reg, Options{})
	c := dial(t, s)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t_echo","arguments":{}}}` + "\n")
	select {
	case <-reg.started:
	case <-time.After(5 * time.Second):
		t.Fatal("call did not start")
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %s with a call running", took)
	}
	select {
	case <-reg.canceled:
	default:
		t.Error("the running call's context was not canceled by Close")
	}
}

// A connection closed before it sends anything, as ReapStale's liveness check of another
// instance's server is, is not logged as a failed login; one that sends a wrong token is.
func TestLivenessProbeIsNotAFailedLogin(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logs := &lockedWriter{w: &buf, mu: &mu}
	s := startServer(t, &fakeRegistry{}, Options{AuthTimeout: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if stale, err := isStale(filepath.Dir(s.Endpoint().Address), time.Now()); err != nil || stale {
		t.Fatalf("the live server's directory looks stale: %v, %v", stale, err)
	}
	c := dialRaw(t, s.Endpoint())
	c.send("symphony-session-token: wrong\n\n")
	c.expectClosed(3 * time.Second)
	// A failed login is logged before its connection is closed.
	if r := dial(t, s).call(2, "ping", ""); r.Error != nil {
		t.Fatalf("ping with the token = %+v", r)
	}
	mu.Lock()
	got := buf.String()
	mu.Unlock()
	if n := strings.Count(got, "no valid session token"); n != 1 {
		t.Fatalf("%d failed logins logged, want 1 (the wrong token, not the probe):\n%s", n, got)
	}
}
