package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// sseReader reads an event stream frame by frame on its own goroutine.
type sseReader struct {
	frames chan string
	resp   *http.Response
}

func openEvents(t *testing.T, url string) *sseReader {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := &sseReader{frames: make(chan string, 64), resp: resp}
	go func() {
		defer close(r.frames)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var frame strings.Builder
		for sc.Scan() {
			if sc.Text() == "" {
				r.frames <- frame.String()
				frame.Reset()
				continue
			}
			frame.WriteString(sc.Text() + "\n")
		}
	}()
	return r
}

func (r *sseReader) next(t *testing.T, within time.Duration) string {
	t.Helper()
	select {
	case f, ok := <-r.frames:
		if !ok {
			t.Fatal("event stream ended")
		}
		return f
	case <-time.After(within):
		t.Fatalf("no frame within %s", within)
		return ""
	}
}

func stateOfFrame(t *testing.T, frame string) State {
	t.Helper()
	data, ok := strings.CutPrefix(frame, "event: state\ndata: ")
	if !ok {
		t.Fatalf("frame %q is not a state event", frame)
	}
	var st State
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		t.Fatalf("frame data: %v", err)
	}
	return st
}

func TestEventsDeliverAChangeWithinOnePublishInterval(t *testing.T) {
	const interval = 500 * time.Millisecond
	env := newTestEnv(t, func(o *Options) { o.PublishInterval = interval })
	ts := httptest.NewServer(env.srv.Handler())
	// Registered before the stream's cleanup, so it runs after the stream is closed.
	t.Cleanup(ts.Close)
	r := openEvents(t, ts.URL)
	if st := stateOfFrame(t, r.next(t, 5*time.Second)); st.Counts.Running != 2 || st.Pause.Paused {
		t.Fatalf("first frame is not the current state: %+v", st.Counts)
	}
	waitFor(t, "the subscription", func() bool { return env.srv.hub.listeners() == 1 })
	start := time.Now()
	env.orch.publish(func(s *orchestrator.Snapshot) { s.Paused, s.PauseReason = true, "deploy" })
	st := stateOfFrame(t, r.next(t, 5*time.Second))
	if elapsed := time.Since(start); elapsed > interval {
		t.Errorf("the change took %s to arrive, more than one publish interval (%s)", elapsed, interval)
	}
	if !st.Pause.Paused || st.Pause.Reason != "deploy" {
		t.Fatalf("frame after the pause: %+v", st.Pause)
	}
	// A burst of publishes inside one interval is coalesced: its last state arrives, once.
	for i := range 20 {
		env.orch.publish(func(s *orchestrator.Snapshot) { s.DailyTokens = int64(i) })
	}
	deadline := time.After(3 * interval)
	frames := 0
	for last := int64(-1); last != 19; {
		select {
		case f := <-r.frames:
			frames++
			last = stateOfFrame(t, f).Budget.DailyUsed
		case <-deadline:
			t.Fatalf("the burst's final state did not arrive; %d frames", frames)
		}
	}
	if frames > 2 {
		t.Errorf("a burst of 20 publishes sent %d frames, want them coalesced into at most 2", frames)
	}
}

func TestEventsSendHeartbeatsWhenIdle(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.Heartbeat = 50 * time.Millisecond })
	ts := httptest.NewServer(env.srv.Handler())
	// Registered before the stream's cleanup, so it runs after the stream is closed.
	t.Cleanup(ts.Close)
	r := openEvents(t, ts.URL)
	r.next(t, 5*time.Second)
	if f := r.next(t, 5*time.Second); f != ": heartbeat\n" {
		t.Fatalf("idle frame %q, want a heartbeat comment", f)
	}
}

func TestSlowEventClientsAreDroppedWithoutBlockingOthers(t *testing.T) {
	orch := newScripted(exampleSnapshot())
	h := newHub(orch, time.Millisecond, 2)
	slow, fast := h.subscribe(), h.subscribe()
	got := 0
	for i := range 10 {
		done := make(chan struct{})
		go func() {
			orch.publish(func(s *orchestrator.Snapshot) { s.DailyTokens = int64(i) })
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("publishing blocked on the event hub")
		}
		select {
		case <-fast.frames:
			got++
		case <-time.After(5 * time.Second):
			t.Fatalf("the reading client got no frame for change %d", i)
		}
	}
	select {
	case <-slow.dropped:
	case <-time.After(5 * time.Second):
		t.Fatal("the client that never read was not dropped")
	}
	if got != 10 || h.listeners() != 1 {
		t.Fatalf("fast client got %d frames, %d listeners left", got, h.listeners())
	}
	h.unsubscribe(fast)
	h.unsubscribe(slow)
	h.mu.Lock()
	running := h.stop != nil
	h.mu.Unlock()
	if running {
		t.Error("the broadcaster still runs with no listener")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
