package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files the server keeps in the state root.
const (
	// TokenFile holds the control bearer token: 64 lowercase hex characters, mode 0600,
	// created on the first start and kept across restarts.
	TokenFile = "control_token"
	// URLFile holds the base URL of the running service's TCP listener, mode 0600.
	URLFile = "control_url"
	// SocketFile is the Unix socket that serves the API whenever the service runs, mode 0600.
	SocketFile = "control.sock"
)

func validToken(t string) bool {
	if len(t) != 64 {
		return false
	}
	for _, c := range t {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ensurePrivateDir creates dir as 0700 when it is missing.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state root %s: %w", dir, err)
	}
	return nil
}

// EnsureToken returns the state root's control token, creating it on first use. Creation is
// atomic (a private temp file hard-linked into place), so two starts never see two tokens.
func EnsureToken(stateRoot string) (string, error) {
	if err := ensurePrivateDir(stateRoot); err != nil {
		return "", err
	}
	path := filepath.Join(stateRoot, TokenFile)
	if tok, err := ReadToken(stateRoot); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	tmp, err := os.CreateTemp(stateRoot, ".control_token-*")
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return "", fmt.Errorf("control token %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("control token %s: %w", path, err)
	}
	return ReadToken(stateRoot)
}

// ReadToken reads the state root's control token, refusing one that others can read or that
// is not 64 hex characters.
func ReadToken(stateRoot string) (string, error) {
	path := filepath.Join(stateRoot, TokenFile)
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("control token %s has mode %04o; others must not read it (chmod 600 %s)", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if !validToken(tok) {
		return "", fmt.Errorf("control token %s is not 64 lowercase hex characters; delete it and restart the service to make a new one", path)
	}
	return tok, nil
}

// WriteControlURL records the TCP listener's base URL for clients, atomically and 0600.
func WriteControlURL(stateRoot, url string) error {
	if err := ensurePrivateDir(stateRoot); err != nil {
		return err
	}
	path := filepath.Join(stateRoot, URLFile)
	tmp, err := os.CreateTemp(stateRoot, ".control_url-*")
	if err != nil {
		return fmt.Errorf("control url: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(url + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Close()); err != nil {
		return fmt.Errorf("control url %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("control url %s: %w", path, err)
	}
	return nil
}

// RemoveControlURL deletes the URL file if it still names url, so a stopped service leaves
// no address behind while a newer one's stays.
func RemoveControlURL(stateRoot, url string) {
	path := filepath.Join(stateRoot, URLFile)
	if data, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(data)) == url {
		os.Remove(path)
	}
}

// ReadControlURL returns the recorded base URL of the running service's TCP listener.
func ReadControlURL(stateRoot string) (string, error) {
	data, err := os.ReadFile(filepath.Join(stateRoot, URLFile))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}
