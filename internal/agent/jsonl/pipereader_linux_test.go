package jsonl

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

func TestPipeReaderReadsUntilTheWriterCloses(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		// Written after the reader has started waiting, so the read parks in the poller first.
		time.Sleep(20 * time.Millisecond)
		_, _ = w.Write([]byte("one\ntwo\n"))
		w.Close()
	}()
	got, err := io.ReadAll(stdoutReader(r))
	if err != nil || string(got) != "one\ntwo\n" {
		t.Fatalf("read %q, %v; want the written lines and a clean end", got, err)
	}
}

func TestPipeReaderReportsAClosedPipeAsClosed(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	done := make(chan error, 1)
	go func() {
		_, err := stdoutReader(r).Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	r.Close()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("read of a closed pipe failed with %v, want os.ErrClosed (the stream's clean end)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the pipe did not end a read waiting on it")
	}
}
