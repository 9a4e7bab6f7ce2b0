package jsonl

import (
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// prefixWorthRunes is how many bytes per rune of the prefix a string must be longer than for
// prefixText to read only its prefix: stepping through the prefix rune by rune to find its
// end costs about as much as unquoting it, so a shorter string is cheaper to unquote whole.
const prefixWorthRunes = 4

// prefixText is the text of a start of the JSON string raw, which the decoder has already
// checked, that holds its first runes runes (or all of them, when it has no more): of a
// string long enough, exactly those, of a shorter one, all of it. It is in place when it has
// neither escapes nor invalid UTF-8, else in r's buffer until the next call. Only so much is
// unquoted, however long the string goes on.
func (r *stringReader) prefixText(raw jsontext.Value, runes int) []byte {
	body := raw[1 : len(raw)-1]
	if len(body) <= prefixWorthRunes*runes {
		// Unquoting a string this short whole costs no more than finding where its prefix
		// ends and unquoting that.
		return r.text(raw)
	}
	end, plain := prefixEnd(body, runes)
	if plain {
		return body[:end]
	}
	// The error only says that invalid UTF-8 was replaced, as encoding/json replaces it.
	if end == len(body) {
		r.unquoted, _ = jsontext.AppendUnquote(r.unquoted[:0], raw)
		return r.unquoted
	}
	// AppendUnquote takes a whole quoted string: the prefix is quoted at the start of the
	// buffer and unquoted after it, which appending never overwrites.
	quoted := append(append(append(r.unquoted[:0], '"'), body[:end]...), '"')
	r.unquoted, _ = jsontext.AppendUnquote(quoted, quoted)
	return r.unquoted[len(quoted):]
}

// prefixEnd is the length of the start of body, the body of a valid JSON string, whose text
// is the first runes runes of the string's text (or all of it), and whether that start is its
// own text. Each step below is one rune of the text, as jsontext.AppendUnquote makes it: an
// escape sequence, an escaped surrogate pair, a UTF-8 sequence, or a byte of invalid UTF-8
// (which becomes U+FFFD). So the start never ends inside what unquotes to one rune, and
// unquoting it on its own gives the same runes as unquoting the whole string.
func prefixEnd(body []byte, runes int) (end int, plain bool) {
	plain = true
	for ; runes > 0 && end < len(body); runes-- {
		switch c := body[end]; {
		case c == '\\':
			plain = false
			end += escapeLen(body[end:])
		case c < utf8.RuneSelf:
			end++
		default:
			r, size := utf8.DecodeRune(body[end:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			end += size
		}
	}
	return end, plain
}

// escapeLen is the length of the escape sequence esc starts with, in a valid JSON string: a
// \u escape of a high surrogate followed by one of a low surrogate is one rune, as
// AppendUnquote pairs them; any other surrogate escape is U+FFFD on its own.
func escapeLen(esc []byte) int {
	const pair = len(`\ud83d\ude00`)
	switch {
	case esc[1] != 'u':
		return len(`\n`)
	case len(esc) >= pair && isSurrogateEscape(esc[:6], "89abAB") && isSurrogateEscape(esc[6:pair], "cdefCDEF"):
		return pair
	}
	return len(`\u0000`)
}

// isSurrogateEscape reports whether esc is a \u escape of a surrogate, D800 to DFFF, whose
// second hex digit is one of seconds: 8 to B for a high surrogate, C to F for a low one.
func isSurrogateEscape(esc []byte, seconds string) bool {
	return esc[0] == '\\' && esc[1] == 'u' && (esc[2] == 'd' || esc[2] == 'D') && strings.IndexByte(seconds, esc[3]) >= 0
}
