package mcpserver

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// TokenEnv is the environment variable `symphony mcp-shim` reads the session token from;
// the token never travels in argv, where other local users could read it.
const TokenEnv = "SYMPHONY_MCP_SESSION_TOKEN"

// tokenHeader names the token in the preamble a connection must open with.
const tokenHeader = "symphony-session-token: "

// maxPreambleLine bounds each preamble line so an unauthenticated peer cannot make the
// server buffer much.
const maxPreambleLine = 512

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mcpserver: session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Preamble is what a client sends before any MCP frame: the token header and a blank line.
func Preamble(token string) []byte {
	return []byte(tokenHeader + token + "\r\n\r\n")
}

var errBadPreamble = errors.New("connection did not open with the session token")

// checkPreamble reads the token line and the blank line after it, comparing the token in
// constant time. Any deviation fails without saying which part was wrong.
func checkPreamble(r *bufio.Reader, token string) error {
	lines := &frameReader{r: r, limit: maxPreambleLine}
	first, err := lines.line()
	if err != nil {
		return errBadPreamble
	}
	got, ok := strings.CutPrefix(strings.TrimSuffix(string(first), "\r"), tokenHeader)
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		return errBadPreamble
	}
	blank, err := lines.line()
	if err != nil || strings.TrimSuffix(string(blank), "\r") != "" {
		return errBadPreamble
	}
	return nil
}
