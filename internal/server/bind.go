package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// AllowRemoteBindEnv, set to 1, lets the TCP listener bind to a non-loopback address.
const AllowRemoteBindEnv = "SYMPHONY_ALLOW_REMOTE_BIND"

// ErrRemoteBind is wrapped by the error CheckBind returns for a non-loopback host.
var ErrRemoteBind = errors.New("non-loopback bind refused")

// resolveTimeout bounds the name lookup of a configured host.
const resolveTimeout = 5 * time.Second

// CheckBind refuses a host that is not loopback (127.0.0.0/8 or ::1, or a name resolving only
// to those) unless allowRemote: the API has no login of its own, and 0.0.0.0 or :: would
// expose it to the network.
func CheckBind(host string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	ips, err := resolve(host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%w: refusing to bind HTTP server to non-loopback host %q: the dashboard has no built-in auth. "+
				"Put a reverse proxy with auth in front and keep dashboard.host at 127.0.0.1, "+
				"or set %s=1 if you understand the risk", ErrRemoteBind, host, AllowRemoteBindEnv)
		}
	}
	return nil
}

func resolve(host string) ([]net.IP, error) {
	bare := host
	if len(bare) > 1 && bare[0] == '[' && bare[len(bare)-1] == ']' {
		bare = bare[1 : len(bare)-1]
	}
	if ip := net.ParseIP(bare); ip != nil {
		return []net.IP{ip}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, bare)
	if err != nil {
		return nil, fmt.Errorf("dashboard host %q: %w", host, err)
	}
	ips := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		ips = append(ips, a.IP)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("dashboard host %q resolves to no address", host)
	}
	return ips, nil
}

// ListenTCP binds host:port (port 0 picks a free one) and returns the listener with the base
// URL clients should use: an unspecified address is reached through loopback.
func ListenTCP(host string, port int) (net.Listener, string, error) {
	bare := host
	if len(bare) > 1 && bare[0] == '[' && bare[len(bare)-1] == ']' {
		bare = bare[1 : len(bare)-1]
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(bare, strconv.Itoa(port)))
	if err != nil {
		return nil, "", fmt.Errorf("dashboard listener on %s: %w", net.JoinHostPort(bare, strconv.Itoa(port)), err)
	}
	return ln, controlURL(bare, ln.Addr().(*net.TCPAddr).Port), nil
}

func controlURL(host string, port int) string {
	switch host {
	case "0.0.0.0", "":
		host = "127.0.0.1"
	case "::", "::0":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path less its NUL).
const maxSocketPath = 107

// ListenSocket serves the control socket at <stateRoot>/control.sock with mode 0600. A socket
// file left by a dead service is replaced; one a live service answers on is refused.
func ListenSocket(stateRoot string) (net.Listener, error) {
	if err := ensurePrivateDir(stateRoot); err != nil {
		return nil, err
	}
	path := filepath.Join(stateRoot, SocketFile)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("control socket path %s is %d bytes, longer than the %d a Unix socket allows; use a shorter --state-root", path, len(path), maxSocketPath)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another Symphony service is already listening there", path)
	} else if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("control socket %s: remove the stale socket: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	// The state root is 0700, so the moment between creating the socket and narrowing its
	// mode exposes nothing to other users.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}
