package codex

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxLineBytes is the longest stdout frame the adapter accepts (SPEC §10.1 recommends 10 MB).
const maxLineBytes = 10 << 20

// oversizeHeadBytes is how much of an oversize line is kept for the malformed event.
const oversizeHeadBytes = 256

// oversizeLine marks a stdout line longer than the limit. The reader discards the rest of
// such a line and resynchronises at the next newline; the protocol goroutine reports it as a
// malformed frame.
type oversizeLine struct {
	head []byte
	size int
}

// readLines copies stdout into q line by line at pipe speed until EOF or a read error, then
// closes q.
func readLines(r io.Reader, q *itemQueue, maxLine int) error {
	defer q.close()
	br := bufio.NewReaderSize(r, 256<<10)
	var buf []byte
	var over *oversizeLine
	for {
		chunk, err := br.ReadSlice('\n')
		complete := err == nil
		content := len(buf) + len(chunk)
		if complete {
			content-- // the newline is not part of the frame
		}
		switch {
		case over != nil:
			over.size += content - len(buf)
		case content > maxLine:
			head := append(buf[:len(buf):len(buf)], chunk...)
			keep := min(len(head), oversizeHeadBytes)
			over = &oversizeLine{head: head[:keep:keep], size: content}
			buf = nil
		case complete && buf == nil:
			line := make([]byte, len(chunk)-1)
			copy(line, chunk)
			if !q.push(queued{line: trimCR(line)}) {
				return nil
			}
			continue
		default:
			buf = append(buf, chunk...)
		}
		if complete {
			if !q.push(finishLine(&buf, &over)) {
				return nil
			}
			continue
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(buf) > 0 || over != nil {
			q.push(finishLine(&buf, &over))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("read agent stdout: %w", err)
	}
}

func finishLine(buf *[]byte, over **oversizeLine) queued {
	if *over != nil {
		o := *over
		*over = nil
		return queued{over: o}
	}
	line := *buf
	*buf = nil
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return queued{line: trimCR(line)}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
