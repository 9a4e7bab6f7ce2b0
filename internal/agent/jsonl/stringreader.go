package jsonl

import (
	"bytes"
	"hash/maphash"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// stringReader makes strings of the JSON strings of lines. It unquotes into a buffer it
// reuses, and keeps the strings it made of short texts recently, so that a text met again (a
// method, an item's type or status, a working directory) is the same string instead of a new
// one. Each text has one slot, picked by its hash: a text meeting another in its slot
// replaces it.
type stringReader struct {
	// unquoted holds the text of a JSON string that has escapes or invalid UTF-8.
	unquoted []byte
	recent   [256]string
}

// maxKeptUnquoteBuffer is the largest unquote buffer a pooled decoder keeps; one grown past
// it by an unusually long string is dropped.
const maxKeptUnquoteBuffer = 1 << 20

// maxRecentText is the longest text kept: longer ones rarely repeat.
const maxRecentText = 128

var recentSeed = maphash.MakeSeed()

// string is the text of the JSON string raw, as a string.
func (r *stringReader) string(raw jsontext.Value) string { return r.of(r.text(raw)) }

// text is the text of the JSON string raw, in place when it has neither escapes nor invalid
// UTF-8, else in r's buffer until the next call.
func (r *stringReader) text(raw jsontext.Value) []byte {
	if body := raw[1 : len(raw)-1]; isPlainText(body) {
		return body
	}
	// The error only says that invalid UTF-8 was replaced, as encoding/json replaces it.
	r.unquoted, _ = jsontext.AppendUnquote(r.unquoted[:0], raw)
	return r.unquoted
}

// isPlainText reports whether the body of a JSON string is its own text.
func isPlainText(body []byte) bool {
	return bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body)
}

// of is text as a string.
func (r *stringReader) of(text []byte) string {
	if len(text) > maxRecentText {
		return string(text)
	}
	slot := &r.recent[maphash.Bytes(recentSeed, text)%uint64(len(r.recent))]
	if *slot != string(text) {
		*slot = string(text)
	}
	return *slot
}

// forget drops a buffer that an unusually long string grew past maxKeptUnquoteBuffer, so that
// a pool does not keep it.
func (r *stringReader) forget() {
	if cap(r.unquoted) > maxKeptUnquoteBuffer {
		r.unquoted = nil
	}
}
