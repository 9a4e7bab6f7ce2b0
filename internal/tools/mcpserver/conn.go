package mcpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// maxInFlight bounds the requests one connection may have running at once; reading pauses
// beyond it, which pushes back on the client instead of growing without limit.
const maxInFlight = 8

// connReadBufferBytes is a connection's read buffer. Tool calls are small and a frame longer
// than the buffer is still read whole (frameReader assembles it), while every session holds
// this buffer for its whole life: 64 KiB each was 10 MiB of heap at 200 sessions.
const connReadBufferBytes = 4 << 10

var connectionCount atomic.Int64

// serve authenticates one connection and answers its requests until either side closes.
// Requests run concurrently; replies are written whole, one line each.
func (s *Server) serve(conn net.Conn) {
	id := connectionCount.Add(1)
	log := s.opts.Logger.With("transport", s.endpoint.Network, "connection", id)
	r := bufio.NewReaderSize(conn, connReadBufferBytes)
	conn.SetReadDeadline(time.Now().Add(s.opts.AuthTimeout))
	if _, err := r.Peek(1); errors.Is(err, io.EOF) {
		// Closed without a byte: another instance's ReapStale checking that this server is
		// alive, not a failed login.
		log.Debug("mcp connection closed before sending anything")
		return
	}
	if err := checkPreamble(r, s.token); err != nil {
		// Nothing is written back: a peer without the token learns nothing about the server.
		log.Warn("mcp connection closed: no valid session token", "error", err.Error())
		return
	}
	conn.SetReadDeadline(time.Time{})
	log.Debug("mcp connection authenticated")

	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	w := &replyWriter{conn: conn}
	frames := &frameReader{r: r, limit: s.opts.MaxFrameBytes}
	slots := make(chan struct{}, maxInFlight)
	var calls sync.WaitGroup
	defer calls.Wait()
	for {
		frame, err := frames.next()
		var tooLarge *frameTooLargeError
		if errors.As(err, &tooLarge) {
			log.Warn("mcp request refused", "error", err.Error(), "limit_bytes", tooLarge.limit)
			w.write(errorResponse(nil, codeInvalidRequest, err.Error()))
			continue
		}
		if err != nil {
			return
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		calls.Add(1)
		go func() {
			defer calls.Done()
			defer func() { <-slots }()
			start := time.Now()
			resp, reply, c := s.methods.handle(ctx, frame)
			written := 0
			if reply {
				written = w.write(resp)
			}
			attrs := []any{"method", c.method, "request_id", string(c.id), "request_bytes", len(frame),
				"response_bytes", written, "duration_ms", time.Since(start).Milliseconds()}
			if c.tool != "" {
				attrs = append(attrs, "tool", c.tool)
			}
			if resp.Error != nil {
				attrs = append(attrs, "error_code", resp.Error.Code)
			}
			log.Info("mcp request", attrs...)
		}()
	}
}

// replyWriter writes whole responses, one per line, from concurrent requests.
type replyWriter struct {
	mu   sync.Mutex
	conn net.Conn
}

// write sends one response and returns its size; a result that cannot be encoded is
// answered as an internal error instead.
func (w *replyWriter) write(resp response) int {
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(errorResponse(resp.ID, codeInternalError, "internal error: encode response: "+err.Error()))
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.conn.Write(b); err != nil {
		return 0
	}
	return len(b)
}
