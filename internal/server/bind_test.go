package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBindRefusesNonLoopbackUnlessAllowed(t *testing.T) {
	cases := []struct {
		host    string
		refused bool
	}{
		{"127.0.0.1", false},
		{"127.0.0.2", false},
		{"::1", false},
		{"[::1]", false},
		{"localhost", false},
		{"0.0.0.0", true},
		{"::", true},
		{"192.168.1.20", true},
		{"10.0.0.1", true},
		{"fe80::1", true},
	}
	for _, c := range cases {
		err := CheckBind(c.host, false)
		if c.refused != errors.Is(err, ErrRemoteBind) {
			t.Errorf("CheckBind(%q) = %v, want refused=%v", c.host, err, c.refused)
		}
		if c.refused && (!strings.Contains(err.Error(), "reverse proxy") || !strings.Contains(err.Error(), AllowRemoteBindEnv+"=1")) {
			t.Errorf("refusal of %q does not point at a reverse proxy and the variable: %v", c.host, err)
		}
		if err := CheckBind(c.host, true); err != nil {
			t.Errorf("CheckBind(%q) with the variable set: %v", c.host, err)
		}
	}
}

func TestListenTCPReportsAReachableURL(t *testing.T) {
	cases := []struct{ host, prefix string }{
		{"127.0.0.1", "http://127.0.0.1:"},
		{"0.0.0.0", "http://127.0.0.1:"},
		{"::1", "http://[::1]:"},
	}
	for _, c := range cases {
		ln, url, err := ListenTCP(c.host, 0)
		if err != nil {
			if c.host == "::1" {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		ln.Close()
		if !strings.HasPrefix(url, c.prefix) || strings.HasSuffix(url, ":0") {
			t.Errorf("ListenTCP(%q) url %q, want %s<port>", c.host, url, c.prefix)
		}
	}
}

func TestSocketIsPrivateServesTheAPIAndReplacesAStaleFile(t *testing.T) {
	env := newTestEnv(t)
	root := shortTempDir(t)
	// A socket file left by a dead service.
	stale, err := net.Listen("unix", filepath.Join(root, SocketFile))
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()

	ln, err := ListenSocket(root)
	if err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(root, SocketFile), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, env.srv.SocketHandler()) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	if _, err := ListenSocket(root); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Errorf("a second service took over a live socket: %v", err)
	}
	c, err := Dial(root)
	if err != nil {
		t.Fatal(err)
	}
	if c.Via != filepath.Join(root, SocketFile) {
		t.Errorf("client goes via %s, want the socket", c.Via)
	}
	var st State
	if err := c.Get(ctx, "/api/v1/state", &st); err != nil || st.Counts.Running != 2 {
		t.Fatalf("state over the socket: %+v %v", st.Counts, err)
	}
	if err := c.Post(ctx, "/api/v1/control/pause", PauseRequest{Reason: "deploy"}, nil); err != nil {
		t.Fatal(err)
	}
	var apiErr *APIError
	if err := c.Post(ctx, "/api/v1/control/stop", IssueRequest{}, nil); !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Code != codeInvalidRequest {
		t.Errorf("bad stop over the socket: %v", err)
	}
}

func TestClientFallsBackToTheControlURLWithTheToken(t *testing.T) {
	root := shortTempDir(t)
	tok, err := EnsureToken(root)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(o *Options) { o.Token = tok })
	ln, url, err := ListenTCP("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, env.srv.Handler()) }()
	stop := sync.OnceValue(func() error { cancel(); return <-served })
	defer stop()

	if _, err := Dial(root); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Dial without socket or url: %v", err)
	}
	if err := WriteControlURL(root, url); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(root)
	if err != nil {
		t.Fatal(err)
	}
	if c.Via != url {
		t.Errorf("client goes via %s, want %s", c.Via, url)
	}
	if err := c.Post(ctx, "/api/v1/control/refresh", nil, nil); err != nil {
		t.Fatalf("refresh with the token from the state root: %v", err)
	}
	// A service that is gone leaves a url nobody answers on.
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if err := c.Post(context.Background(), "/api/v1/control/refresh", nil, nil); !errors.Is(err, ErrUnreachable) {
		t.Errorf("request to a stopped service: %v", err)
	}
}

func TestServeEndsOpenEventStreamsOnShutdown(t *testing.T) {
	env := newTestEnv(t)
	ln, url, err := ListenTCP("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, env.srv.Handler()) }()
	resp, err := http.Get(url + "/api/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return with an event stream open")
	}
}

// shortTempDir is a temp dir with a path short enough for a Unix socket.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sym")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
