package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxEventBytes bounds one SSE event read by Follow; the state document of a busy service
// stays far below it, and a larger one means the stream is not what it claims to be.
const maxEventBytes = 16 << 20

// Events opens GET /api/v1/events and calls onState with every state document it carries,
// in order, until ctx ends or the stream breaks. The request has no overall timeout (the
// stream is meant to stay open); the service's heartbeat keeps an idle stream alive, and the
// caller ends it through ctx. It returns the error that ended the stream, ctx's error when
// the caller ended it.
func (c *Client) Events(ctx context.Context, onState func(State)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	streaming := *c.http
	streaming.Timeout = 0
	resp, err := streaming.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.Via, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &APIError{Status: resp.StatusCode, Code: "http_error", Message: "GET /api/v1/events: " + http.StatusText(resp.StatusCode)}
	}
	err = readStateEvents(resp.Body, onState)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// readStateEvents parses an SSE stream: "event:" names the event, "data:" lines make up its
// payload, a blank line ends it, and lines starting with ":" are comments (heartbeats).
// Events other than "state" are skipped so the service can add kinds without breaking
// older clients.
func readStateEvents(r io.Reader, onState func(State)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventBytes)
	var event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if event == "state" && data.Len() > 0 {
				var st State
				if err := json.Unmarshal([]byte(data.String()), &st); err != nil {
					return fmt.Errorf("decoding a state event of /api/v1/events: %w", err)
				}
				onState(st)
			}
			event = ""
			data.Reset()
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading /api/v1/events: %w", err)
	}
	return fmt.Errorf("/api/v1/events: %w", io.ErrUnexpectedEOF)
}
