package server

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// sseWriteTimeout bounds one write to an SSE client; a client that cannot take a frame in
// that time is cut off.
const sseWriteTimeout = 10 * time.Second

// hub fans snapshot changes out to SSE clients. One broadcaster goroutine runs while anyone
// listens: it wakes when the orchestrator publishes, encodes the state once for everyone, and
// hands each client the frame without waiting. A client whose buffer is full is dropped, so a
// slow reader never holds up the others or the orchestrator.
type hub struct {
	src      Orchestrator
	interval time.Duration
	buffer   int
	// render turns a snapshot into the state document; stateOf unless the server adds
	// store-backed parts.
	render func(*orchestrator.Snapshot) State

	mu      sync.Mutex
	clients map[*sseClient]struct{}
	// stop is closed to end the broadcaster; nil while none runs.
	stop chan struct{}
}

type sseClient struct {
	frames chan []byte
	// dropped is closed when the hub gives up on the client.
	dropped chan struct{}
}

func newHub(src Orchestrator, interval time.Duration, buffer int) *hub {
	return &hub{src: src, interval: interval, buffer: buffer, render: stateOf, clients: map[*sseClient]struct{}{}}
}

func (h *hub) subscribe() *sseClient {
	c := &sseClient{frames: make(chan []byte, h.buffer), dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c] = struct{}{}
	if h.stop == nil {
		h.stop = make(chan struct{})
		// The snapshot the new client is about to get is the baseline, taken now so a change
		// published before the goroutine runs is still sent.
		go h.broadcast(h.stop, h.src.Snapshot())
	}
	return c
}

func (h *hub) unsubscribe(c *sseClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.clients, c)
	if len(h.clients) == 0 && h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
}

// broadcast sends each new snapshot, at most one per interval: changes in between are
// coalesced into the next frame.
func (h *hub) broadcast(stop chan struct{}, last *orchestrator.Snapshot) {
	for {
		changed := h.src.Published()
		if snap := h.src.Snapshot(); snap != last {
			last = snap
			h.send(stateFrame(h.render(snap)))
			pause := time.NewTimer(h.interval)
			select {
			case <-pause.C:
			case <-stop:
				pause.Stop()
				return
			}
			continue
		}
		select {
		case <-changed:
		case <-stop:
			return
		}
	}
}

func (h *hub) send(frame []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.frames <- frame:
		default:
			delete(h.clients, c)
			close(c.dropped)
		}
	}
}

func (h *hub) listeners() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// stateFrame is one SSE event carrying the state document.
func stateFrame(st State) []byte {
	data, err := json.Marshal(st)
	if err != nil {
		// The state holds only plain values; failing to encode it is a programming error.
		panic("server: encoding the state: " + err.Error())
	}
	frame := make([]byte, 0, len(data)+len("event: state\ndata: \n\n"))
	frame = append(frame, "event: state\ndata: "...)
	frame = append(frame, data...)
	return append(frame, "\n\n"...)
}

// getEvents streams the state as Server-Sent Events: the current state at once, then every
// change, and a comment line when idle.
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	write := func(b []byte) bool {
		// Deadlines are best effort: a writer that cannot take them still streams.
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(stateFrame(s.state(r.Context(), s.opts.Orchestrator.Snapshot()))) {
		return
	}
	heartbeat := time.NewTicker(s.opts.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.dropped:
			s.opts.Logger.Debug("api: dropped a slow event-stream client", "remote", r.RemoteAddr)
			return
		case f := <-c.frames:
			if !write(f) {
				return
			}
		case <-heartbeat.C:
			if !write([]byte(": heartbeat\n\n")) {
				return
			}
		}
	}
}
