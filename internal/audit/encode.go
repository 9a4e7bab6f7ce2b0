package audit

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendCanonical appends r's canonical encoding, byte for byte what canonical produces, without
// the JSON encoder's reflection. It handles the values the log's scrubbing leaves in details
// (strings, booleans, nil, int, int64, uint64, []any and map[string]any) and UTC times; for
// anything else it reports false and seal uses canonical.
func appendCanonical(dst []byte, r *Record) ([]byte, bool) {
	if r.Time.Location() != time.UTC || r.Time.Year() < 0 || r.Time.Year() > 9999 {
		return dst, false
	}
	dst = append(dst, `{"schema":`...)
	dst = strconv.AppendInt(dst, int64(r.Schema), 10)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, r.Seq, 10)
	dst = append(dst, `,"ts":"`...)
	dst = r.Time.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	for _, f := range [...]struct{ name, value string }{
		{"issue_id", r.IssueID}, {"issue_identifier", r.IssueIdentifier}, {"repo_key", r.RepoKey},
		{"run_id", r.RunID}, {"session_id", r.SessionID},
	} {
		if f.value != "" {
			dst = appendField(dst, f.name, f.value)
		}
	}
	dst = appendField(dst, "event_type", r.EventType)
	if len(r.Details) > 0 {
		dst = append(dst, `,"details":`...)
		var ok bool
		if dst, ok = appendValue(dst, r.Details); !ok {
			return dst, false
		}
	} else if len(r.fields) > 0 {
		dst = append(dst, `,"details":`...)
		dst = appendFields(dst, r.fields)
	}
	dst = appendField(dst, "previous_hash", r.PreviousHash)
	if r.RecordHash != "" {
		dst = appendField(dst, "record_hash", r.RecordHash)
	}
	return append(dst, '}'), true
}

func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendString(dst, value)
}

func appendValue(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, v), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case uint64:
		return strconv.AppendUint(dst, v, 10), true
	case []any:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendValue(dst, x); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '{')
		var buf [16]string
		keys := buf[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = appendValue(dst, v[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	default:
		return dst, false
	}
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping off: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by \ufffd, and U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
