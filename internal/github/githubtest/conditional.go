package githubtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
)

// bufferedResponse holds a handler's answer so an ETag can be computed over the body before
// anything reaches the client.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// serveConditional runs a GET handler the way GitHub answers reads: a 200 carries an ETag over
// its body, and a request whose If-None-Match names the current ETag gets 304 Not Modified
// with no body, which GitHub does not charge against the rate limit.
func (s *Server) serveConditional(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	buf := &bufferedResponse{header: w.Header()}
	h(buf, r)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	if buf.status == http.StatusOK {
		sum := sha256.Sum256(append([]byte(w.Header().Get("Link")+"\n"), buf.body.Bytes()...))
		etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.mu.Lock()
			s.refundRateLimit(w.Header())
			s.mu.Unlock()
			w.Header().Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
}

// refundRateLimit gives back the request applyRateLimit spent, for a 304. Call with s.mu held.
func (s *Server) refundRateLimit(h http.Header) {
	rl := s.rateLimit
	if rl == nil || rl.remaining >= rl.limit {
		return
	}
	rl.remaining++
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(rl.limit-rl.remaining))
}

// statusRecorder remembers the status a handler answered with, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}
