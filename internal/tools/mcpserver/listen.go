package mcpserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Transport picks how a session's listener is reached.
type Transport string

const (
	// TransportUnix is a Unix socket in a private directory, falling back to loopback TCP
	// when the sandbox refuses to bind one (EPERM).
	TransportUnix Transport = "unix"
	// TransportTCP is loopback TCP on a free port, for sandboxes (srt on Linux) that block
	// Unix sockets for the agent.
	TransportTCP Transport = "tcp"
)

// dirPrefix starts every socket directory's name, so ReapStale can find the leftovers.
const dirPrefix = "symphony-mcp-"

const socketName = "sock"

// maxSocketPath is the longest socket path bind accepts: sun_path holds the path and its
// terminating NUL.
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}

type listenFunc func(network, address string) (net.Listener, error)

// listenUnix binds the socket in a fresh 0700 directory under root. It returns the
// directory so Close can remove it.
func listenUnix(root string, listen listenFunc) (ln net.Listener, dir string, err error) {
	dir, err = os.MkdirTemp(root, dirPrefix)
	if err != nil {
		return nil, "", fmt.Errorf("mcpserver: socket directory under %s: %w", root, err)
	}
	path := filepath.Join(dir, socketName)
	if len(path) > maxSocketPath() {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("mcpserver: socket path %s is %d bytes, over the %d-byte limit of Unix socket paths on %s; choose a shorter socket root",
			path, len(path), maxSocketPath(), runtime.GOOS)
	}
	ln, err = listen("unix", path)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("mcpserver: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("mcpserver: restrict %s to its owner: %w", path, err)
	}
	return ln, dir, nil
}

func listenTCP(listen listenFunc) (net.Listener, error) {
	ln, err := listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mcpserver: listen on 127.0.0.1: %w", err)
	}
	return ln, nil
}

// listenFor opens the listener a transport asks for. A Unix socket the sandbox refuses to
// bind (EPERM) falls back to loopback TCP; any other failure is returned as is.
func listenFor(t Transport, root string, listen listenFunc) (ln net.Listener, dir string, fellBack bool, err error) {
	switch t {
	case TransportTCP:
		ln, err = listenTCP(listen)
		return ln, "", false, err
	case TransportUnix:
		ln, dir, err = listenUnix(root, listen)
		if err == nil || !errors.Is(err, syscall.EPERM) {
			return ln, dir, false, err
		}
		ln, err = listenTCP(listen)
		return ln, "", true, err
	default:
		return nil, "", false, fmt.Errorf("mcpserver: transport %q is not supported; use %q or %q", t, TransportUnix, TransportTCP)
	}
}
