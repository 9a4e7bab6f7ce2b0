package codex

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// collect runs the reader over input and returns one item per line.
func collect(t *testing.T, input string, maxLine int) []queued {
	t.Helper()
	q := newItemQueue(1 << 20)
	done := make(chan error, 1)
	go func() { done <- readLines(iotest.HalfReader(strings.NewReader(input)), q, maxLine) }()
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
