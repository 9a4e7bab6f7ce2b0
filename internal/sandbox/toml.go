package sandbox

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// tomlEntry is one key = value pair of an inline table; values are strings, bools or nested
// entry lists.
type tomlEntry struct {
	Key   string
	Value any
}

// tomlOverride renders a `--config key=value` override whose value is entries as a TOML
// inline table, in one allocation. Keys are always quoted so paths with dots, spaces or
// colons stay single keys.
func tomlOverride(key string, entries []tomlEntry) string {
	var b strings.Builder
	b.Grow(len(key) + 1 + inlineTableSize(entries))
	b.WriteString(key)
	b.WriteByte('=')
	writeInlineTable(&b, entries)
	return b.String()
}

// inlineTableSize is the rendered length of entries when nothing needs escaping, so the
// filesystem table of a session (kilobytes) is written into one allocation.
func inlineTableSize(entries []tomlEntry) int {
	n := 2
	for _, e := range entries {
		n += len(e.Key) + 4
		switch v := e.Value.(type) {
		case string:
			n += len(v) + 2
		case bool:
			n += len("false")
		case []tomlEntry:
			n += inlineTableSize(v)
		}
	}
	return n
}

func writeInlineTable(b *strings.Builder, entries []tomlEntry) {
	b.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		writeTOMLString(b, e.Key)
		b.WriteByte('=')
		switch v := e.Value.(type) {
		case string:
			writeTOMLString(b, v)
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case []tomlEntry:
			writeInlineTable(b, v)
		}
	}
	b.WriteByte('}')
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	writeTOMLString(&b, s)
	return b.String()
}

// writeTOMLString writes s as a TOML basic string: quotes and backslashes escaped, control
// characters as \u escapes, and invalid UTF-8 as U+FFFD, which TOML requires of a string.
func writeTOMLString(b *strings.Builder, s string) {
	b.WriteByte('"')
	if !tomlNeedsEscape(s) {
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// tomlNeedsEscape reports whether s holds anything writeTOMLString must rewrite; paths and
// domain names almost never do. No byte of a multi-byte UTF-8 sequence is ASCII, so the
// characters to escape are found byte by byte.
func tomlNeedsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			return true
		}
	}
	return !utf8.ValidString(s)
}
