package codex

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

// collect runs the reader over input and returns one item per line.
func collect(t *testing.T, input string, maxLine int) []queued {
	t.Helper()
	q := newItemQueue(1 << 20)
	done := make(chan error, 1)
	go func() { done <- readLines(iotest.HalfReader(strings.NewReader(input)), q, maxLine, nil) }()
	var out []queued
	for {
		it, ok := q.pop()
		if !ok {
			break
		}
		if it.over != nil {
			out = append(out, it)
			continue
		}
		splitLines(it.lines, func(line []byte) { out = append(out, queued{lines: bytes.Clone(line)}) })
		it.buf.release()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadLinesResynchronisesAfterOversizeLine(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	input := "first\r\n" + long + "\nsecond\n" + strings.Repeat("y", 100) + "\nlast-without-newline"
	got := collect(t, input, 200<<10)
	want := []string{"first", "<oversize>", "second", strings.Repeat("y", 100), "last-without-newline"}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i, it := range got {
		switch {
		case want[i] == "<oversize>":
			if it.over == nil || it.over.size != len(long) || len(it.over.head) != oversizeHeadBytes {
				t.Fatalf("item %d = %+v, want an oversize marker of %d bytes", i, it.over, len(long))
			}
		case it.over != nil || string(it.lines) != want[i]:
			t.Fatalf("item %d = %q, want %q", i, it.lines, want[i])
		}
	}
}

func TestReadLinesKeepsLinesUpToTheLimit(t *testing.T) {
	exact := strings.Repeat("z", 1000)
	got := collect(t, exact+"\n", 1000)
	if len(got) != 1 || !bytes.Equal(got[0].lines, []byte(exact)) {
		t.Fatalf("a line of exactly the limit was not delivered intact: %d items", len(got))
	}
}

func FuzzReadLines(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), 2)
	f.Add([]byte(strings.Repeat("q", 70)+"\nshort\n"), 16)
	f.Fuzz(func(t *testing.T, input []byte, limit int) {
		if limit <= 0 || limit > 1<<16 {
			return
		}
		got := collect(t, string(input), limit)
		var rebuilt []string
		for _, it := range got {
			if it.over != nil {
				if it.over.size <= limit {
					t.Fatalf("oversize marker for a %d-byte line under the %d limit", it.over.size, limit)
				}
				rebuilt = append(rebuilt, "\x00")
				continue
			}
			if len(it.lines) > limit {
				t.Fatalf("delivered a %d-byte line over the %d limit", len(it.lines), limit)
			}
			rebuilt = append(rebuilt, string(it.lines))
		}
		lines := strings.Split(strings.TrimSuffix(string(input), "\n"), "\n")
		if len(input) == 0 {
			lines = nil
		}
		if len(lines) != len(rebuilt) {
			t.Fatalf("%d lines in, %d items out", len(lines), len(rebuilt))
		}
		for i := range lines {
			want := strings.TrimSuffix(lines[i], "\r")
			if rebuilt[i] != "\x00" && rebuilt[i] != want {
				t.Fatalf("line %d = %q, want %q", i, rebuilt[i], want)
			}
		}
	})
}

// A consumer that hands every batch back at once gets the same few read buffers over and over;
// one that holds its batches keeps their bytes intact while the reader goes on.
func TestReadBuffersAreReusedOnlyWhenReleased(t *testing.T) {
	const count = 20 << 10
	var b strings.Builder
	for i := range count {
		fmt.Fprintf(&b, "%08d %s\n", i, strings.Repeat("x", 990))
	}
	input := b.String()
	for _, hold := range []bool{false, true} {
		// The budget of a held run has room for everything; a released run reads ahead by
		// at most a few buffers.
		budget := 1 << 20
		if hold {
			budget = 64 << 20
		}
		q := newItemQueue(budget)
		done := make(chan error, 1)
		go func() { done <- readLines(strings.NewReader(input), q, 1<<20, nil) }()
		seen := map[*readBuffer]bool{}
		var held []queued
		lines := 0
		for {
			it, ok := q.pop()
			if !ok {
				break
			}
			seen[it.buf] = true
			lines += len(it.frames)
			if hold {
				held = append(held, it)
			} else {
				it.done()
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if lines != count {
			t.Fatalf("hold=%v: %d lines, want %d", hold, lines, count)
		}
		// Without reuse the 20 MB would take about 80 buffers.
		if !hold && len(seen) > 16 {
			t.Errorf("released batches came from %d distinct buffers, want a few reused ones", len(seen))
		}
		next := 0
		for _, it := range held {
			splitLines(it.lines, func(l []byte) {
				if want := fmt.Sprintf("%08d ", next); !strings.HasPrefix(string(l), want) {
					t.Fatalf("line %d of the held batches reads %.20q: its buffer was reused", next, l)
				}
				next++
			})
		}
	}
}
