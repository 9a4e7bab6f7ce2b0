package audit

import (
	"errors"
	"unicode/utf8"
)

// Excerpt is a detail value kept only in part: the log redacts Text whole and only then cuts
// it to its first Max bytes (its last, with FromEnd) on a rune boundary, so a secret straddling
// the cut leaves no fragment behind. Summaries of streamed output use it.
type Excerpt struct {
	Text    string
	Max     int
	FromEnd bool
}

// errExcerptUnscrubbed keeps an Excerpt from ever being stored as raw JSON: only the log's
// scrubbing turns it into text.
var errExcerptUnscrubbed = errors.New("audit: an Excerpt is a string the log redacts and cuts; it cannot share details with values that need a JSON round trip (floats, structs)")

// MarshalJSON refuses, so details holding an Excerpt next to a value the log must round-trip
// fail loudly instead of storing the uncut text.
func (Excerpt) MarshalJSON() ([]byte, error) { return nil, errExcerptUnscrubbed }

// cut returns the redacted text's first or last Max bytes, never splitting a rune.
func (e Excerpt) cut(redacted string) string {
	if e.Max <= 0 || len(redacted) <= e.Max {
		return redacted
	}
	if e.FromEnd {
		start := len(redacted) - e.Max
		for start < len(redacted) && !utf8.RuneStart(redacted[start]) {
			start++
		}
		return redacted[start:]
	}
	end := e.Max
	for end > 0 && !utf8.RuneStart(redacted[end]) {
		end--
	}
	return redacted[:end]
}
