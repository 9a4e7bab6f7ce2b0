package jsonl

import "encoding/binary"

// A hand-written JSON checker for the common frame: it checks a line in one pass without
// allocating and finds where its top-level members are, so only params a consumer reads are
// given to the JSON engine. It accepts exactly what encoding/json accepts (invalid UTF-8 in
// strings included) and nothing else; anything it is unsure of (nesting past scanMaxDepth)
// it reports as not checked, and the line then goes to the general decoder, which decides.

// scanMaxDepth bounds the nesting the checker follows; deeper lines take the general path,
// whose limit is higher.
const scanMaxDepth = 256

// stringStop marks the bytes that end a run of plain string content: the closing quote, a
// backslash and the control characters JSON forbids in strings.
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// span is a member's raw name (between its quotes) and raw value, as offsets into the line.
type span struct {
	nameStart, nameEnd   int
	valueStart, valueEnd int
}

// scanObject checks that line is exactly one JSON object, surrounded by optional whitespace,
// and appends its top-level members to dst in order. ok is false when the line is not valid
// JSON, not an object, or past what the checker follows.
func scanObject(line []byte, dst []span) ([]span, bool) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return dst, false
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return dst, skipSpace(line, i+1) == len(line)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return dst, false
		}
		var s span
		s.nameStart = i + 1
		end, ok := scanString(line, i)
		if !ok {
			return dst, false
		}
		s.nameEnd = end - 1
		i = skipSpace(line, end)
		if i >= len(line) || line[i] != ':' {
			return dst, false
		}
		i = skipSpace(line, i+1)
		s.valueStart = i
		if i, ok = scanValue(line, i, 1); !ok {
			return dst, false
		}
		s.valueEnd = i
		dst = append(dst, s)
		i = skipSpace(line, i)
		if i >= len(line) {
			return dst, false
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return dst, skipSpace(line, i+1) == len(line)
		default:
			return dst, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanValue checks the value starting at b[i] and returns the offset just past it.
func scanValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '{':
		return scanNested(b, i, depth, '}', true)
	case c == '[':
		return scanNested(b, i, depth, ']', false)
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return i, false
}

// scanNested checks an object (members true) or an array starting at b[i].
func scanNested(b []byte, i, depth int, closer byte, members bool) (int, bool) {
	if depth >= scanMaxDepth {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, true
	}
	for {
		var ok bool
		if members {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			if i, ok = scanString(b, i); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
		if i, ok = scanValue(b, i, depth+1); !ok {
			return i, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case closer:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// scanString checks the string whose opening quote is b[i] and returns the offset just past
// its closing quote. Bytes from 0x80 up pass whatever they are, as encoding/json lets them.
func scanString(b []byte, i int) (int, bool) {
	i++
	for {
		i = skipPlainWords(b, i)
		for i < len(b) && !stringStop[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		default:
			// A control character.
			return i, false
		}
	}
}

// Masks for testing the eight bytes of a word at once.
const (
	eachByte = 0x0101010101010101
	highBits = 0x8080808080808080
)

// skipPlainWords skips whole 8-byte words of string content holding no byte stringStop
// marks, and returns where the byte-wise scan must go on. A word is plain when it has no
// byte below 0x20, no quote and no backslash; the tests can only err towards stopping early.
func skipPlainWords(b []byte, i int) int {
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		quote := w ^ (eachByte * '"')
		backslash := w ^ (eachByte * '\\')
		below := (w - eachByte*0x20) & ^w
		zero := (quote - eachByte) & ^quote
		zero |= (backslash - eachByte) & ^backslash
		if (below|zero)&highBits != 0 {
			return i
		}
		i += 8
	}
	return i
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting at b[i].
func scanNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		start := i + 1
		if i = skipDigits(b, start); i == start {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		if i = skipDigits(b, start); i == start {
			return i, false
		}
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func scanLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}
