package jsonl

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// numberedLines is a stream of n lines and the non-blank ones a reader must deliver. Line i
// is its number, then up to 1 KiB of one letter, so a line overwritten by another shows;
// every tenth is blank, which is read but not queued.
func numberedLines(n int) (input string, want []string) {
	var b strings.Builder
	for i := range n {
		if i%10 == 9 {
			b.WriteString("  \n")
			continue
		}
		line := strconv.Itoa(i) + ":" + strings.Repeat(string(rune('a'+i%26)), (i*37)%1024)
		want = append(want, line)
		b.WriteString(line + "\n")
	}
	return b.String(), want
}

// checkLines checks that the items are the next lines wanted, from want[*next] on, and moves
// *next past them. It allocates nothing, so tests can count the reader's allocations.
func checkLines(t *testing.T, items []Item[[]byte], want []string, next *int) {
	t.Helper()
	for _, it := range items {
		if *next >= len(want) || string(it.Line) != want[*next] {
			t.Fatalf("line %d is %.40q, want %.40q", *next, it.Line, want[min(*next, len(want)-1)])
		}
		*next++
	}
}

// takeAll takes every line of s, checking each against want, and calls each with every batch,
// empty ones included, before taking the next.
func takeAll(t *testing.T, s *Stream[[]byte], want []string, each func(batch []Item[[]byte])) {
	t.Helper()
	var batch []Item[[]byte]
	next := 0
	timeout := time.After(60 * time.Second)
	for {
		var ok bool
		batch, ok = s.Take(batch[:0])
		checkLines(t, batch, want, &next)
		if each != nil {
			each(batch)
		}
		if len(batch) > 0 {
			continue
		}
		if !ok {
			break
		}
		select {
		case <-s.Ready():
		case <-timeout:
			t.Fatalf("no Ready after %d lines", next)
		}
	}
	if next != len(want) {
		t.Fatalf("%d lines read, want %d", next, len(want))
	}
}

// nextAll is takeAll for a consumer of Next.
func nextAll(t *testing.T, s *Stream[[]byte], want []string) {
	t.Helper()
	next := 0
	var one [1]Item[[]byte]
	for it, ok := s.Next(); ok; it, ok = s.Next() {
		one[0] = it
		checkLines(t, one[:], want, &next)
	}
	if next != len(want) {
		t.Fatalf("%d lines read, want %d", next, len(want))
	}
}

// A consumer that opted in makes next to no garbage, taking batches or line by line: the
// blocks of the lines it released are filled again. One that did not gets every line as its
// own copy, as before.
func TestReleasedLineMemoryIsReused(t *testing.T) {
	input, want := numberedLines(8000) // about 4 MiB
	cases := []struct {
		name  string
		optIn bool
		read  func(*testing.T, *Stream[[]byte], []string)
	}{
		{"take", false, func(t *testing.T, s *Stream[[]byte], want []string) { takeAll(t, s, want, nil) }},
		{"take opted in", true, func(t *testing.T, s *Stream[[]byte], want []string) { takeAll(t, s, want, nil) }},
		{"next", false, nextAll},
		{"next opted in", true, nextAll},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			c.read(t, Read(strings.NewReader(input), ReadOptions{QueueBytes: 64 << 10, LinesValidUntilNextTake: c.optIn}, raw), want)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			switch {
			case c.optIn && allocated > uint64(len(input))/2:
				t.Fatalf("%d bytes allocated reading %d bytes of lines", allocated, len(input))
			case !c.optIn && allocated < uint64(len(input)):
				t.Fatalf("only %d bytes allocated reading %d bytes of lines without reuse", allocated, len(input))
			}
		})
	}
}

// A line kept past the next Take is what LinesValidUntilNextTake forbids: later lines are
// written over it. Without the opt-in a kept line never changes.
func TestLineKeptPastTakeIsOverwrittenOnlyWhenOptedIn(t *testing.T) {
	input, want := numberedLines(4000)
	for _, optIn := range []bool{false, true} {
		t.Run("opt in "+strconv.FormatBool(optIn), func(t *testing.T) {
			var kept, copies [][]byte
			s := Read(strings.NewReader(input), ReadOptions{QueueBytes: 64 << 10, LinesValidUntilNextTake: optIn}, raw)
			takeAll(t, s, want, func(batch []Item[[]byte]) {
				for _, it := range batch {
					kept = append(kept, it.Line)
					copies = append(copies, bytes.Clone(it.Line))
				}
			})
			changed := 0
			for i := range kept {
				if !bytes.Equal(kept[i], copies[i]) {
					changed++
				}
			}
			if optIn && changed == 0 {
				t.Fatal("no kept line was overwritten: released memory was not reused")
			}
			if !optIn && changed > 0 {
				t.Fatalf("%d kept lines changed without the opt-in", changed)
			}
		})
	}
}

// The lines of the batch in the consumer's hands stay as they were until it takes again,
// however far ahead the reader runs: a slow consumer, a fast producer, checked under -race.
func TestBatchInHandIsNeverOverwritten(t *testing.T) {
	input, want := numberedLines(6000)
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(pw, strings.NewReader(input))
		_ = pw.Close()
	}()
	batches := 0
	s := Read(pr, ReadOptions{QueueBytes: 32 << 10, LinesValidUntilNextTake: true}, raw)
	takeAll(t, s, want, func(batch []Item[[]byte]) {
		if len(batch) == 0 {
			return
		}
		batches++
		want := make([]string, len(batch))
		for i, it := range batch {
			want[i] = string(it.Line)
		}
		// The reader fills the queue's budget meanwhile.
		time.Sleep(time.Millisecond)
		for i, it := range batch {
			if string(it.Line) != want[i] {
				t.Fatalf("a line of the batch in hand changed from %.40q to %.40q", want[i], it.Line)
			}
		}
	})
	if batches < 10 {
		t.Fatalf("only %d batches: the consumer never fell behind", batches)
	}
	<-s.Done()
}

// The blocks a stream holds are bounded by its queue's budget, and once the consumer has
// released every line the stream holds none but the one the reader fills.
func TestRecycledMemoryIsBounded(t *testing.T) {
	const budget = 32 << 10
	input, want := numberedLines(8000)
	// Each retired block holds three quarters of a block of lines or more, and only the queued
	// lines, the batch in hand and the line the reader is pushing may be unreleased.
	maxRetired := 2*budget/(lineSlabBytes*3/4) + 2
	s := Read(strings.NewReader(input), ReadOptions{QueueBytes: budget, LinesValidUntilNextTake: true}, raw)
	retired := func() int {
		s.q.blocks.mu.Lock()
		defer s.q.blocks.mu.Unlock()
		return len(s.q.blocks.retired)
	}
	most := 0
	takeAll(t, s, want, func([]Item[[]byte]) { most = max(most, retired()) })
	if most > maxRetired {
		t.Fatalf("%d blocks retired but in use, over the %d a %d-byte budget allows", most, maxRetired, budget)
	}
	if n := retired(); n > 0 {
		t.Fatalf("%d blocks retired but in use once the stream ended", n)
	}
}

// A consumer that passes the same array to every Take, instead of its last batch, never has
// the batch in its hands written over: the queue reuses only the array it lent.
func TestTakeReusesOnlyTheArrayItLent(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s := Read(pr, ReadOptions{LinesValidUntilNextTake: true}, raw)
	queued := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			s.q.mu.Lock()
			n := len(s.q.items) - s.q.head
			s.q.mu.Unlock()
			if n > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the reader queued nothing")
			}
		}
	}
	fixed := make([]Item[[]byte], 0, 8)
	var batch []Item[[]byte]
	for _, line := range []string{"first", "second"} {
		if _, err := io.WriteString(pw, line+"\n"); err != nil {
			t.Fatal(err)
		}
		queued()
		batch, _ = s.Take(fixed[:0])
		if len(batch) != 1 || string(batch[0].Line) != line {
			t.Fatalf("took %d lines, want just %q", len(batch), line)
		}
	}
	if _, err := io.WriteString(pw, "third\n"); err != nil {
		t.Fatal(err)
	}
	queued()
	if string(batch[0].Line) != "second" {
		t.Fatalf("the batch in hand now holds %q, want %q", batch[0].Line, "second")
	}
}
