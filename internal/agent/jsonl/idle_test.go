package jsonl

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// A session between two bursts of output holds no read buffer, no block of lines and no
// array of items: a busy service runs hundreds of sessions, most of them waiting for their
// agent at any moment. Measured as the heap a hundred waiting streams keep after a burst each.
func TestStreamsBetweenBurstsHoldNoBuffers(t *testing.T) {
	const streams = 100
	// What a waiting stream may keep: its own structures, not a buffer of kilobytes.
	const perStreamBytes = 4 << 10
	input, want := numberedLines(200) // about 100 KiB, more than the queue's budget
	heapAlloc := func() uint64 {
		runtime.GC()
		runtime.GC() // pooled buffers survive one collection
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	type waiting struct {
		w *os.File
		s *Stream[[]byte]
	}
	all := make([]waiting, streams)
	before := heapAlloc()
	for i := range all {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		s := Read(r, ReadOptions{QueueBytes: 64 << 10, LinesValidUntilNextTake: true}, raw)
		all[i] = waiting{w, s}
		go func() { _, _ = w.WriteString(input) }()
		takeLines(t, s, want)
	}
	// Each reader is waiting for input again once it has read its whole burst, which the
	// consumer took; the last ones may still be on their way back to their wait.
	var held int64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		held = int64(heapAlloc()) - int64(before)
		if held <= streams*perStreamBytes || time.Now().After(deadline) {
			break
		}
	}
	for _, st := range all {
		_ = st.w.Close()
		for _, ok := st.s.Take(nil); ok; _, ok = st.s.Take(nil) {
			<-st.s.Ready()
		}
	}
	t.Logf("%d streams waiting after a burst hold %d bytes of heap each", streams, held/streams)
	if held > streams*perStreamBytes {
		t.Fatalf("%d streams waiting after a burst hold %d bytes, %d each; want under %d each",
			streams, held, held/streams, perStreamBytes)
	}
}

// takeLines takes the lines wanted from s as a session does, batch after batch, and ends with
// a Take that finds none.
func takeLines(t *testing.T, s *Stream[[]byte], want []string) {
	t.Helper()
	var batch []Item[[]byte]
	next := 0
	timeout := time.After(30 * time.Second)
	for next < len(want) || len(batch) > 0 {
		batch, _ = s.Take(batch[:0])
		checkLines(t, batch, want, &next)
		clear(batch)
		if len(batch) == 0 && next < len(want) {
			select {
			case <-s.Ready():
			case <-timeout:
				t.Fatalf("no Ready after %d lines", next)
			}
		}
	}
}
