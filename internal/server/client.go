package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Client timeouts: connecting, and a whole request with its answer.
const (
	clientDialTimeout    = 5 * time.Second
	clientRequestTimeout = 15 * time.Second
)

// ErrUnreachable is wrapped by Dial and Client errors when no service answers for the state
// root.
var ErrUnreachable = errors.New("no running Symphony service answers")

// APIError is an error answer of the API.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (%s, HTTP %d)", e.Message, e.Code, e.Status)
}

// Client talks to the running service of one state root.
type Client struct {
	http  *http.Client
	base  string
	token string
	// Via says how the client reaches the service: the socket path or the control URL.
	Via string
}

// Dial finds the service of stateRoot: its Unix socket first, else the control_url file with
// the control token.
func Dial(stateRoot string) (*Client, error) {
	sock := filepath.Join(stateRoot, SocketFile)
	if c, err := net.DialTimeout("unix", sock, clientDialTimeout); err == nil {
		c.Close()
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}
		return &Client{http: &http.Client{Transport: tr, Timeout: clientRequestTimeout}, base: "http://symphony", Via: sock}, nil
	}
	url, err := ReadControlURL(stateRoot)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: neither %s nor %s exists", ErrUnreachable, sock, filepath.Join(stateRoot, URLFile))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	token, err := ReadToken(stateRoot)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{DialContext: (&net.Dialer{Timeout: clientDialTimeout}).DialContext, Proxy: nil}
	return &Client{http: &http.Client{Transport: tr, Timeout: clientRequestTimeout}, base: url, token: token, Via: url}, nil
}

// Get decodes the JSON answer of GET path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// Post sends body as JSON to path and decodes the answer into out.
func (c *Client) Post(ctx context.Context, path string, body, out any) error {
	return c.do(ctx, http.MethodPost, path, body, out)
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.Via, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w at %s: reading the answer: %v", ErrUnreachable, c.Via, err)
	}
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error.Code == "" {
			return &APIError{Status: resp.StatusCode, Code: "http_error", Message: http.StatusText(resp.StatusCode)}
		}
		return &APIError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the answer of %s %s: %w", method, path, err)
	}
	return nil
}
