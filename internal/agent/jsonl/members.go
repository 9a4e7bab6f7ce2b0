package jsonl

import "bytes"

// Finding the members of a value already checked valid needs no second check: strings are
// skipped by searching for their closing quote, containers by counting brackets outside
// strings. These functions never read out of bounds, but on invalid JSON their result means
// nothing; PlainMembers is only given values scanObject has checked.

// appendMembers appends the members of obj, a valid JSON value, to dst; ok is false when obj
// is not an object.
func appendMembers(obj []byte, dst []span) ([]span, bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return dst, false
	}
	i = skipSpace(obj, i+1)
	for i < len(obj) && obj[i] != '}' {
		if obj[i] != '"' {
			return dst, false
		}
		var s span
		s.nameStart = i + 1
		i = skipValidString(obj, i)
		s.nameEnd = i - 1
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != ':' {
			return dst, false
		}
		i = skipSpace(obj, i+1)
		s.valueStart = i
		i = skipValidValue(obj, i)
		s.valueEnd = i
		if s.valueEnd <= s.valueStart || s.nameEnd < s.nameStart {
			return dst, false
		}
		dst = append(dst, s)
		i = skipSpace(obj, i)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return dst, i < len(obj)
}

// skipValidString returns the offset just past the string whose opening quote is b[i]: its first
// quote not escaped by an odd run of backslashes.
func skipValidString(b []byte, i int) int {
	for j := i + 1; j < len(b); {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		q := j + k
		n := 0
		for n < q-i-1 && b[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return len(b)
}

// skipValidValue returns the offset just past the value starting at b[i].
func skipValidValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipValidString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipValidString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
