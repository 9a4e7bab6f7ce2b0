package mcpserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxFrameBytes bounds one inbound JSON-RPC frame; tool arguments are small, and a
// client that sends more is broken or hostile.
const DefaultMaxFrameBytes = 8 << 20

// frameTooLargeError reports a frame longer than the limit; its bytes were read and dropped
// up to the next newline, so the stream stays in step.
type frameTooLargeError struct{ limit int }

func (e *frameTooLargeError) Error() string {
	return fmt.Sprintf("request frame is larger than the %d-byte limit; it was dropped", e.limit)
}

// frameReader splits a stream into newline-delimited frames, skipping blank lines.
type frameReader struct {
	r     *bufio.Reader
	limit int
}

// next returns the next non-blank frame without its line ending. A last frame without a
// newline is returned before io.EOF. A frame over the limit is discarded through its newline
// and reported as *frameTooLargeError, after which reading can continue.
func (f *frameReader) next() ([]byte, error) {
	for {
		line, err := f.line()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// line reads one line up to the limit; the newline itself is dropped.
func (f *frameReader) line() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := f.r.ReadSlice('\n')
		size := len(buf) + len(chunk)
		if err == nil {
			size-- // the newline is not part of the frame
		}
		if size > f.limit {
			if errors.Is(err, bufio.ErrBufferFull) {
				if derr := f.discardLine(); derr != nil && !errors.Is(derr, io.EOF) {
					return nil, derr
				}
			}
			return nil, &frameTooLargeError{limit: f.limit}
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(buf, []byte("\n")), err
	}
}

// discardLine drops bytes through the next newline without keeping them.
func (f *frameReader) discardLine() error {
	for {
		_, err := f.r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}
