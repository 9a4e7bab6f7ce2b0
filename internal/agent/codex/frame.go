package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// frame is one decoded JSON-RPC message. Spans point into the line they were decoded from.
// A frame with an ID and a Method is a server request; with an ID and no Method it is a
// response; with a Method and no ID it is a notification.
type frame struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
	Result json.RawMessage
	Error  json.RawMessage
}

func (f *frame) isRequest() bool      { return f.ID != nil && f.Method != "" }
func (f *frame) isResponse() bool     { return f.ID != nil && f.Method == "" }
func (f *frame) isNotification() bool { return f.ID == nil && f.Method != "" }

var errNotObject = errors.New("frame is not a JSON object")

// decodeFrame splits a line into its top-level members without decoding the nested values:
// the stream is dominated by large notifications the adapter only forwards, so paying for a
// full decode of every frame would cap ingest far below pipe speed. Nested values are checked
// for balanced structure here and decoded properly only where the adapter reads them.
func decodeFrame(line []byte) (frame, error) {
	var f frame
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return f, errNotObject
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return f, checkTrailing(line, i+1)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return f, fmt.Errorf("expected a member name at byte %d", i)
		}
		keyEnd, err := skipString(line, i)
		if err != nil {
			return f, err
		}
		key := line[i+1 : keyEnd-1]
		i = skipSpace(line, keyEnd)
		if i >= len(line) || line[i] != ':' {
			return f, fmt.Errorf("expected ':' after member name at byte %d", i)
		}
		i = skipSpace(line, i+1)
		valEnd, err := skipValue(line, i)
		if err != nil {
			return f, err
		}
		if err := f.set(key, line[i:valEnd]); err != nil {
			return f, err
		}
		i = skipSpace(line, valEnd)
		if i >= len(line) {
			return f, errors.New("frame ends inside an object")
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return f, checkTrailing(line, i+1)
		default:
			return f, fmt.Errorf("unexpected %q at byte %d", line[i], i)
		}
	}
}

func (f *frame) set(key, val []byte) error {
	switch string(key) {
	case "id":
		if !bytes.Equal(val, []byte("null")) {
			f.ID = val
		}
	case "method":
		var m string
		if err := json.Unmarshal(val, &m); err != nil {
			return fmt.Errorf("method is not a string: %w", err)
		}
		f.Method = m
	case "params":
		f.Params = val
	case "result":
		f.Result = val
	case "error":
		f.Error = val
	}
	return nil
}

func checkTrailing(line []byte, i int) error {
	if i = skipSpace(line, i); i != len(line) {
		return fmt.Errorf("unexpected data after the frame at byte %d", i)
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, fmt.Errorf("unterminated string starting at byte %d", i)
		}
		j += k
		backslashes := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j + 1, nil
		}
		j++
	}
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		return skipContainer(b, i)
	case c == '-' || c == 't' || c == 'f' || c == 'n' || (c >= '0' && c <= '9'):
		j := i
		for j < len(b) && isLiteralByte(b[j]) {
			j++
		}
		return j, nil
	default:
		return 0, fmt.Errorf("unexpected %q at byte %d", c, i)
	}
}

func isLiteralByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// skipContainer returns the index just past the object or array starting at b[i], checking
// that brackets pair up correctly.
func skipContainer(b []byte, i int) (int, error) {
	var fixed [64]byte
	stack := fixed[:0]
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			end, err := skipString(b, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			open := byte('{')
			if c == ']' {
				open = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return 0, fmt.Errorf("mismatched %q at byte %d", c, j)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated value starting at byte %d", i)
}
