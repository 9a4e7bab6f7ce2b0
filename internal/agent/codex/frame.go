package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
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
	if f, ok := decodeNotification(line); ok {
		return f, nil
	}
	var f frame
	err := walkObject(line, f.set)
	return f, err
}

// frequentString returns, as a constant, one of the method names and item types and statuses
// nearly every frame carries; that spares a string allocation per frame at pipe speed. A
// switch is used rather than a map because hashing showed up in ingest profiles.
func frequentString(b []byte) (string, bool) {
	switch string(b) {
	case "item/started":
		return "item/started", true
	case "item/completed":
		return "item/completed", true
	case "item/updated":
		return "item/updated", true
	case "item/agentMessage/delta":
		return "item/agentMessage/delta", true
	case "item/reasoning/textDelta":
		return "item/reasoning/textDelta", true
	case "item/reasoning/summaryTextDelta":
		return "item/reasoning/summaryTextDelta", true
	case "item/commandExecution/outputDelta":
		return "item/commandExecution/outputDelta", true
	case "item/fileChange/outputDelta":
		return "item/fileChange/outputDelta", true
	case "thread/status/changed":
		return "thread/status/changed", true
	case "thread/tokenUsage/updated":
		return "thread/tokenUsage/updated", true
	case "turn/started":
		return "turn/started", true
	case "turn/completed":
		return "turn/completed", true
	case "turn/diff/updated":
		return "turn/diff/updated", true
	case "account/rateLimits/updated":
		return "account/rateLimits/updated", true
	case "serverRequest/resolved":
		return "serverRequest/resolved", true
	case "error":
		return "error", true
	case "warning":
		return "warning", true
	case "commandExecution":
		return "commandExecution", true
	case "fileChange":
		return "fileChange", true
	case "agentMessage":
		return "agentMessage", true
	case "reasoning":
		return "reasoning", true
	case "userMessage":
		return "userMessage", true
	case "dynamicToolCall":
		return "dynamicToolCall", true
	case "mcpToolCall":
		return "mcpToolCall", true
	case "inProgress":
		return "inProgress", true
	case "completed":
		return "completed", true
	case "failed":
		return "failed", true
	case "declined":
		return "declined", true
	case "interrupted":
		return "interrupted", true
	}
	return "", false
}

// stringValue decodes a raw JSON string, or returns "" for anything else.
func stringValue(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	inner := raw[1 : len(raw)-1]
	if known, ok := frequentString(inner); ok {
		return known
	}
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func (f *frame) set(key, val []byte) error {
	if len(key) == 0 {
		return nil
	}
	switch string(key) {
	case "id":
		if !bytes.Equal(val, []byte("null")) {
			f.ID = val
		}
	case "method":
		if len(val) == 0 || val[0] != '"' {
			return fmt.Errorf("method is not a string: %.40s", val)
		}
		f.Method = stringValue(val)
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
		k := indexQuote(b, j)
		if k < 0 {
			return 0, fmt.Errorf("unterminated string starting at byte %d", i)
		}
		backslashes := 0
		for p := k - 1; p > i && b[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return k + 1, nil
		}
		j = k + 1
	}
}

// indexQuote returns the index of the next '"' at or after from, or -1.
func indexQuote(b []byte, from int) int {
	if k := bytes.IndexByte(b[from:], '"'); k >= 0 {
		return from + k
	}
	return -1
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
