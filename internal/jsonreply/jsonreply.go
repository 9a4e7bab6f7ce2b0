// Package jsonreply finds the JSON object in a model's free-form reply. Models asked for "only
// JSON" still wrap it in code fences or prose now and then; the issue gate and the pre-push
// reviewer both read their verdicts through here.
package jsonreply

import (
	"encoding/json"
	"strings"
)

// First returns the first balanced {...} in text that is valid JSON, scanning past braces
// inside strings and past candidates that do not decode (prose such as "{maybe}").
func First(text string) ([]byte, bool) {
	for start := strings.IndexByte(text, '{'); start >= 0; {
		if end, ok := balancedEnd(text, start); ok && json.Valid([]byte(text[start:end])) {
			return []byte(text[start:end]), true
		}
		next := strings.IndexByte(text[start+1:], '{')
		if next < 0 {
			break
		}
		start += 1 + next
	}
	return nil, false
}

// balancedEnd finds the index just past the brace closing the one at start, honouring JSON
// string quoting and escapes.
func balancedEnd(text string, start int) (int, bool) {
	depth, inString, escaped := 0, false, false
	for i := start; i < len(text); i++ {
		c := text[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}
