package jsonl

import (
	"io"
	"sync"
)

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	buf   []byte
	limit int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) >= t.limit {
		t.buf = append(t.buf[:0], p[len(p)-t.limit:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// drainBufferBytes is drain's copy buffer. Agents write little to stderr, and io.Copy's
// 32 KiB would be held by every session for its whole life.
const drainBufferBytes = 2 << 10

// drain copies r into the tail until its end so the child never blocks on a full stderr pipe.
// r is wrapped so its WriteTo (an *os.File's, with io.Copy's own buffer) cannot replace the
// small buffer.
func drain(r io.Reader, t *tailBuffer) {
	_, _ = io.CopyBuffer(t, struct{ io.Reader }{r}, make([]byte, drainBufferBytes))
}
