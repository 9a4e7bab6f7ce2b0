package jsonl

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAll runs the reader over input with the given cap and returns what it delivered: each
// line, or "!<size>" for a line over the cap. A consumer of Next reads it as it always could;
// one of Take promises LinesValidUntilNextTake, so it copies each line before its next Take.
func readAll(t testing.TB, input string, maxLine int, take bool) []string {
	opts := ReadOptions{MaxLineBytes: maxLine, QueueBytes: 1 << 10, LinesValidUntilNextTake: take}
	s := Read(iotest.HalfReader(strings.NewReader(input)), opts, raw)
	var got []string
	note := func(it Item[[]byte]) {
		var tooLong *LineTooLongError
		if errors.As(it.Err, &tooLong) {
			if !bytes.Equal(it.Line, tooLong.Head) || tooLong.Limit != maxLine {
				t.Fatalf("oversize item %q carries head %q, limit %d", it.Line, tooLong.Head, tooLong.Limit)
			}
			got = append(got, "!"+strconv.Itoa(tooLong.Size))
			return
		}
		if it.At.IsZero() {
			t.Fatal("item without a read time")
		}
		got = append(got, string(it.Line))
	}
	if take {
		var batch []Item[[]byte]
		for ok := true; ok; {
			batch, ok = s.Take(batch[:0])
			for _, it := range batch {
				note(it)
			}
			if ok && len(batch) == 0 {
				<-s.Ready()
			}
		}
	} else {
		for it, ok := s.Next(); ok; it, ok = s.Next() {
			note(it)
		}
	}
	<-s.Done()
	if s.Err() != nil {
		t.Fatalf("read error %v", s.Err())
	}
	return got
}

func TestReadSplitsLines(t *testing.T) {
	long := strings.Repeat("y", 100_000)
	cases := []struct {
		name    string
		input   string
		maxLine int
		want    []string
	}{
		{"plain", "a\nbb\n", 10, []string{"a", "bb"}},
		{"crlf and blank lines", "a\r\n\n  \r\nb\n", 10, []string{"a", "b"}},
		{"last line without newline", "a\nb", 10, []string{"a", "b"}},
		{"line at the cap", "0123456789\n", 10, []string{"0123456789"}},
		{"line over the cap resynchronises", "ok\n01234567890\nnext\n", 10, []string{"ok", "!11", "next"}},
		{"oversize last line", "ok\n01234567890", 10, []string{"ok", "!11"}},
		{"long line over the read buffer", long + "\nz\n", 200_000, []string{long, "z"}},
		{"long line over the cap", "a\n" + long + "\nz\n", 70_000, []string{"a", "!100000", "z"}},
		{"long oversize line with crlf", long + "\r\nz\n", 70_000, []string{"!100000", "z"}},
	}
	for _, c := range cases {
		for _, take := range []bool{false, true} {
			t.Run(c.name+map[bool]string{false: " with Next", true: " with Take"}[take], func(t *testing.T) {
				got := readAll(t, c.input, c.maxLine, take)
				if strings.Join(got, "|") != strings.Join(c.want, "|") {
					t.Fatalf("got %.60q, want %.60q", got, c.want)
				}
			})
		}
	}
}

// An endless line is reported once it passes the cap (within a read buffer), before and
// without its end.
func TestOversizeIsReportedBeforeTheLineEnds(t *testing.T) {
	reported := make(chan []byte, 1)
	pr, pw := io.Pipe()
	defer pw.Close()
	s := Read(pr, ReadOptions{MaxLineBytes: 1000, OnOversize: func(head []byte) { reported <- head }}, raw)
	go func() { _, _ = pw.Write(bytes.Repeat([]byte("x"), 3*readBufferBytes)) }()
	select {
	case head := <-reported:
		if len(head) != oversizeHeadBytes {
			t.Fatalf("head of %d bytes", len(head))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an endless line was not reported")
	}
	s.Close()
}

// A consumer that does not keep up holds the reader at the queue's budget, not beyond it.
func TestQueueIsBoundedByMemory(t *testing.T) {
	const budget = 64 << 10
	line := strings.Repeat("z", 1000) + "\n"
	s := Read(strings.NewReader(strings.Repeat(line, 1000)), ReadOptions{QueueBytes: budget}, raw)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s.q.mu.Lock()
		held := s.q.bytes
		s.q.mu.Unlock()
		if held > budget {
			t.Fatalf("queue holds %d bytes over a %d budget", held, budget)
		}
		if held > budget-2*len(line) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	n := 0
	for _, ok := s.Next(); ok; _, ok = s.Next() {
		n++
	}
	if n != 1000 {
		t.Fatalf("%d lines delivered, want 1000", n)
	}
}

// Whatever the input, the reader delivers exactly its non-blank lines, in order, with the ones
// over the cap reported by size.
func FuzzRead(f *testing.F) {
	f.Add([]byte("a\nb\r\n\n{\"x\":1}\n"), uint8(4))
	f.Add([]byte("0123456789abcdef\nshort\nxxxxxxxxxxxxxxxxxxxxxxxx"), uint8(8))
	f.Fuzz(func(t *testing.T, input []byte, cap8 uint8) {
		maxLine := int(cap8%64) + 1
		var want []string
		for i, line := range bytes.Split(input, []byte{'\n'}) {
			if i == bytes.Count(input, []byte{'\n'}) && len(line) == 0 {
				break
			}
			line = bytes.TrimSuffix(line, []byte{'\r'})
			switch {
			case len(line) > maxLine:
				want = append(want, "!"+strconv.Itoa(len(line)))
			case len(bytes.TrimSpace(line)) > 0:
				want = append(want, string(line))
			}
		}
		for _, take := range []bool{false, true} {
			got := readAll(t, string(input), maxLine, take)
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("input %q cap %d, Take %v: got %q, want %q", input, maxLine, take, got, want)
			}
		}
	})
}

// Take hands over what is queued as batches, in order, and the batch in the consumer's hands
// still counts against the budget until the next Take.
func TestTakeDeliversBatchesWithinBudget(t *testing.T) {
	const budget = 16 << 10
	line := strings.Repeat("y", 500) + "\n"
	s := Read(strings.NewReader(strings.Repeat(line, 400)), ReadOptions{QueueBytes: budget}, raw)
	timeout := time.After(10 * time.Second)
	// Once the reader has filled the queue, the first Take gets all of it.
	for held := 0; held <= budget/2; {
		s.q.mu.Lock()
		held = s.q.bytes
		s.q.mu.Unlock()
		select {
		case <-timeout:
			t.Fatalf("the reader queued only %d bytes", held)
		case <-time.After(time.Millisecond):
		}
	}
	var batch []Item[[]byte]
	n := 0
	for {
		var ok bool
		batch, ok = s.Take(batch[:0])
		if n == 0 && len(batch) < 2 {
			t.Fatalf("first batch has %d lines of a full queue", len(batch))
		}
		if len(batch) > 0 {
			s.q.mu.Lock()
			held := s.q.bytes
			s.q.mu.Unlock()
			if held > budget+len(line)+itemOverheadBytes {
				t.Fatalf("%d bytes held with a batch out, over the %d budget", held, budget)
			}
			for _, it := range batch {
				if string(it.Line) != strings.TrimSuffix(line, "\n") {
					t.Fatalf("line %d is %q", n, it.Line)
				}
				n++
			}
			continue
		}
		if !ok {
			break
		}
		select {
		case <-s.Ready():
		case <-timeout:
			t.Fatalf("no Ready after %d lines", n)
		}
	}
	if n != 400 {
		t.Fatalf("%d lines delivered, want 400", n)
	}
}

// Lines copied into a shared block stay what they were while later lines are copied, and
// appending to one cannot write over the next.
func TestLineSlabKeepsLinesApart(t *testing.T) {
	var slab lineSlab
	var lines [][]byte
	for i := range 200 {
		lines = append(lines, slab.copy([]byte(strings.Repeat(strconv.Itoa(i%10), 1+i%300)), int64(i)))
	}
	_ = append(lines[0], "overwrite"...)
	for i, line := range lines {
		if want := strings.Repeat(strconv.Itoa(i%10), 1+i%300); string(line) != want {
			t.Fatalf("line %d is %q, want %q", i, line, want)
		}
	}
}
