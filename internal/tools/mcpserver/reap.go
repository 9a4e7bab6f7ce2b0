package mcpserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Reaping thresholds: a directory without a socket may be a server still starting; a dial
// that neither connects nor is refused within dialTimeout leaves the directory alone.
const (
	youngDirAge = 5 * time.Second
	dialTimeout = 500 * time.Millisecond
)

// ReapStale removes socket directories under root (empty means os.TempDir()) left by servers
// that died without Close: those whose socket refuses connections or that hold no socket,
// once older than a few seconds, and stray non-directories with the prefix. Entries of other
// users are left alone. It returns the paths it removed. A young directory is spared even
// when its socket refuses: another instance sharing root may be between bind and listen,
// when a connection is refused although the server is starting (every service start reaps,
// so with services starting side by side this removed live servers' sockets).
func ReapStale(root string) ([]string, error) {
	if root == "" {
		root = os.TempDir()
	}
	entries, err := filepath.Glob(filepath.Join(root, dirPrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("mcpserver: reap %s: %w", root, err)
	}
	var removed []string
	var errs []error
	for _, path := range entries {
		stale, err := isStale(path, time.Now())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !stale {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("mcpserver: remove stale %s: %w", path, err))
			continue
		}
		removed = append(removed, path)
	}
	return removed, errors.Join(errs...)
}

func isStale(path string, now time.Time) (bool, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mcpserver: reap %s: %w", path, err)
	}
	if !ownedByMe(info) {
		return false, nil
	}
	if !info.IsDir() {
		return true, nil
	}
	sock := filepath.Join(path, socketName)
	sinfo, err := os.Lstat(sock)
	if errors.Is(err, fs.ErrNotExist) {
		return now.Sub(info.ModTime()) > youngDirAge, nil
	}
	if err != nil {
		return false, fmt.Errorf("mcpserver: reap %s: %w", sock, err)
	}
	if sinfo.Mode().Type() != fs.ModeSocket {
		return true, nil
	}
	conn, err := net.DialTimeout("unix", sock, dialTimeout)
	if errors.Is(err, syscall.ECONNREFUSED) {
		// Binding the socket made the directory's last change.
		return now.Sub(info.ModTime()) > youngDirAge, nil
	}
	if err != nil {
		// A slow or busy socket may still belong to a live server; leave it.
		return false, fmt.Errorf("mcpserver: reap %s: cannot tell whether it is live: %w", sock, err)
	}
	conn.Close()
	return false, nil
}

// ownedByMe reports whether the current user owns info's file; a shared temp directory may
// hold other users' servers.
func ownedByMe(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Getuid()
}
