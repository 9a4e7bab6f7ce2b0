package agent

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// stringPrefix decodes at most maxRunes runes of the JSON string at the start of raw, which
// may be cut short (no closing quote) or followed by other JSON, and reports whether more of
// the string followed. Runs without escapes are copied
// whole. A malformed string yields what decoded cleanly before the fault.
func stringPrefix(raw []byte, maxRunes int) (string, bool) {
	if len(raw) < 1 || raw[0] != '"' {
		return "", false
	}
	in := raw[1:]
	var b strings.Builder
	b.Grow(min(len(in), 4*maxRunes))
	left := maxRunes
	for len(in) > 0 {
		run := in
		if k := bytes.IndexByte(in, '\\'); k >= 0 {
			run = in[:k]
		}
		closed := false
		if q := bytes.IndexByte(run, '"'); q >= 0 {
			// The closing quote: whatever follows the string is not part of it.
			run, closed = run[:q], true
		}
		in = in[len(run):]
		if n := utf8.RuneCount(run); n <= left && utf8.Valid(run) {
			b.Write(run)
			left -= n
		} else {
			// Invalid bytes become U+FFFD, as encoding/json decodes them.
			for ; len(run) > 0 && left > 0; left-- {
				r, size := utf8.DecodeRune(run)
				b.WriteRune(r)
				run = run[size:]
			}
			if len(run) > 0 {
				return b.String(), true
			}
		}
		if closed || len(in) == 0 {
			return b.String(), false
		}
		if left == 0 {
			return b.String(), true
		}
		r, size := decodeEscape(in)
		if size == 0 {
			return b.String(), false
		}
		b.WriteRune(r)
		left--
		in = in[size:]
	}
	return b.String(), false
}

// decodeEscape reads the backslash escape at the start of in, returning the rune and the bytes
// used, or size 0 when malformed.
func decodeEscape(in []byte) (rune, int) {
	if len(in) < 2 {
		return 0, 0
	}
	switch in[1] {
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case '"', '\\', '/':
		return rune(in[1]), 2
	case 'u':
		return decodeUnicodeEscape(in)
	}
	return 0, 0
}

// decodeUnicodeEscape reads \uXXXX (and a following low surrogate) at the start of in,
// returning the rune and the bytes used, or size 0 when malformed.
func decodeUnicodeEscape(in []byte) (rune, int) {
	hex := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex(in)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if low, ok := hex(in[6:]); ok && low >= 0xDC00 && low <= 0xDFFF {
			return utf16.DecodeRune(r, low), 12
		}
		return utf8.RuneError, 6
	}
	return r, 6
}
