package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// Defaults for the zero Options.
const (
	DefaultAuthTimeout = 5 * time.Second
	// closeWait bounds how long Close waits for tool calls that ignore cancellation.
	closeWait = 10 * time.Second
)

// Options configure one session's listener.
type Options struct {
	// Root is the directory the socket directory is made in; empty means os.TempDir().
	// Keep it short: the whole socket path must fit a Unix socket address.
	Root string
	// Transport is TransportUnix (the default) or TransportTCP.
	Transport Transport
	// Version is reported to clients as serverInfo.version.
	Version string
	// AuthTimeout bounds how long a new connection may take to present the token.
	AuthTimeout time.Duration
	// MaxFrameBytes bounds one inbound frame; zero means DefaultMaxFrameBytes.
	MaxFrameBytes int
	Logger        *slog.Logger

	// listen replaces net.Listen in tests that need a bind to fail.
	listen listenFunc
}

// Endpoint is where a client connects: Network is "unix" or "tcp", Address the socket path
// or 127.0.0.1:port.
type Endpoint struct {
	Network string
	Address string
}

// Server is one session's listener. Connections presenting its token are served
// concurrently; all of them end at Close.
type Server struct {
	methods  methods
	opts     Options
	ln       net.Listener
	dir      string
	token    string
	endpoint Endpoint

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// Start opens the listener and serves registry on it until Close.
func Start(registry agent.ToolRegistry, opts Options) (*Server, error) {
	if registry == nil {
		return nil, errors.New("mcpserver: a tool registry is required")
	}
	if opts.Root == "" {
		opts.Root = os.TempDir()
	}
	if opts.Transport == "" {
		opts.Transport = TransportUnix
	}
	if opts.AuthTimeout <= 0 {
		opts.AuthTimeout = DefaultAuthTimeout
	}
	if opts.MaxFrameBytes <= 0 {
		opts.MaxFrameBytes = DefaultMaxFrameBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.listen == nil {
		opts.listen = net.Listen
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	ln, dir, fellBack, err := listenFor(opts.Transport, opts.Root, opts.listen)
	if err != nil {
		return nil, err
	}
	s := &Server{methods: methods{registry: registry, version: opts.Version}, opts: opts, ln: ln, dir: dir,
		token: token, endpoint: Endpoint{Network: ln.Addr().Network(), Address: ln.Addr().String()},
		conns: map[net.Conn]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if fellBack {
		opts.Logger.Warn("mcp server fell back to loopback tcp: unix socket bind not permitted", "address", s.endpoint.Address)
	}
	opts.Logger.Info("mcp server listening", "transport", s.endpoint.Network, "address", s.endpoint.Address)
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Endpoint is where the shim connects.
func (s *Server) Endpoint() Endpoint { return s.endpoint }

// Token is the session token the shim must present (hand it over in TokenEnv).
func (s *Server) Token() string { return s.token }

// ShimArgs are the `symphony` arguments that bridge an MCP client's stdio to this server.
func (s *Server) ShimArgs() []string {
	if s.endpoint.Network == "unix" {
		return []string{"mcp-shim", "--socket", s.endpoint.Address}
	}
	return []string{"mcp-shim", "--tcp", s.endpoint.Address}
}

// Close stops the listener, ends live connections, waits (bounded) for their calls and
// removes the socket directory.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	errs := []error{s.ln.Close()}
	if errors.Is(errs[0], net.ErrClosed) {
		errs[0] = nil
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
		errs = append(errs, fmt.Errorf("mcpserver: tool calls still running %s after close", closeWait))
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	return errors.Join(errs...)
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				s.opts.Logger.Warn("mcp server stopped accepting", "address", s.endpoint.Address, "error", err.Error())
			}
			return
		}
		if !s.track(conn) {
			conn.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(conn)
			s.serve(conn)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}
