package sandbox

import (
	"strconv"
	"strings"
)

// tomlEntry is one key = value pair of an inline table; values are strings, bools or nested
// entry lists.
type tomlEntry struct {
	Key   string
	Value any
}

// inlineTable renders entries as a TOML inline table. Keys are always quoted so paths with
// dots, spaces or colons stay single keys.
func inlineTable(entries []tomlEntry) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tomlString(e.Key))
		b.WriteByte('=')
		switch v := e.Value.(type) {
		case string:
			b.WriteString(tomlString(v))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case []tomlEntry:
			b.WriteString(inlineTable(v))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
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
	return b.String()
}
