package jsonl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An agent's stdout pipe is read with raw system calls; a regular file, or a reader that is
// not a file, as it reads itself.
func TestPipesAreReadRaw(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if in, await := pollInput(r); await == nil {
		t.Fatal("a pipe's input cannot be awaited")
	} else if _, raw := in.(rawPipe); !raw {
		t.Fatalf("a pipe is read through %T, want rawPipe", in)
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "lines"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if in, _ := pollInput(file); in != io.Reader(file) {
		t.Fatalf("a regular file is read through %T, want the file itself", in)
	}
	text := strings.NewReader("x\n")
	if in, await := pollInput(text); in != io.Reader(text) || await != nil {
		t.Fatalf("a plain reader is read through %T (awaitable %v), want itself and no waiter", in, await != nil)
	}
}

// A raw read waits on the poller for input that comes later, returns what a write brought,
// ends at the writer's close, and reports a reader closed under it as os.File does.
func TestRawPipeReadsWaitsAndEnds(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in, _ := pollInput(r)
	want := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // more than the pipe holds at once
	go func() {
		time.Sleep(20 * time.Millisecond) // the first read waits
		for rest := want; len(rest) > 0; rest = rest[min(len(rest), 5000):] {
			if _, err := w.Write(rest[:min(len(rest), 5000)]); err != nil {
				return
			}
		}
		w.Close()
	}()
	got, err := io.ReadAll(in)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes (%v), want the %d written", len(got), err, len(want))
	}

	r2, w2, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	in2, _ := pollInput(r2)
	done := make(chan error, 1)
	go func() {
		_, err := in2.Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	r2.Close()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("a read of a reader closed under it = %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a read did not return when its reader was closed")
	}
}
