package codex

import "bytes"

// isStrictNotification reports the notifications whose params the adapter decodes in full;
// they are small and rare, and go through the strict decode so a frame shape the fast path
// could misread never reaches their decoders.
func isStrictNotification(method string) bool {
	switch method {
	case "turn/completed", "thread/tokenUsage/updated", "account/rateLimits/updated", "error":
		return true
	}
	return false
}

// maxTrailingMembers bounds the backward walk over the scalar members Codex writes after a
// notification's params (emittedAtMs today).
const maxTrailingMembers = 4

// decodeNotification is the fast path for the frames that make up almost the whole stream:
// notifications, which Codex writes as {"method":...,"params":{...}} followed only by scalar
// members. It finds the end of params by reading those trailing members backwards from the
// end of the line, so the bulky params object is not scanned here at all. Params found this
// way are only forwarded, or read leniently from their start (item/completed); should a frame
// ever carry an object-valued member after params, it would be absorbed into those forwarded
// bytes and nothing else. Anything else (a frame that does not start with "method", carries an
// "id", is a strict notification, or ends in another shape) reports false and goes through the
// strict member-by-member decode.
func decodeNotification(line []byte) (frame, bool) {
	var f frame
	method, i, ok := compactNotificationHead(line)
	if !ok {
		method, i, ok = notificationHead(line)
	}
	if !ok {
		return f, false
	}
	f.Method = stringValue(method)
	if f.Method == "" || isStrictNotification(f.Method) {
		return f, false
	}
	paramsEnd, ok := trailingScalars(line, i)
	if !ok {
		return f, false
	}
	f.Params = line[i : paramsEnd+1]
	return f, true
}

// Codex writes compact JSON: every notification starts with compactMethodPrefix, and its
// method name is followed by compactParamsInfix.
const (
	compactMethodPrefix = `{"method":"`
	compactParamsInfix  = `","params":{`
)

// compactNotificationHead reads the start of a notification written the way Codex writes it,
// returning the raw method string and the index of params' opening brace. Any other spacing
// or an escape in the method name reports false, for notificationHead to read.
func compactNotificationHead(line []byte) ([]byte, int, bool) {
	if !bytes.HasPrefix(line, []byte(compactMethodPrefix)) {
		return nil, 0, false
	}
	q := indexQuote(line, len(compactMethodPrefix))
	if q < 0 || line[q-1] == '\\' || !bytes.HasPrefix(line[q:], []byte(compactParamsInfix)) {
		return nil, 0, false
	}
	return line[len(compactMethodPrefix)-1 : q+1], q + len(compactParamsInfix) - 1, true
}

// notificationHead reads the start of a notification with any spacing: the raw method string
// and the index of params' opening brace.
func notificationHead(line []byte) ([]byte, int, bool) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return nil, 0, false
	}
	key, i, ok := memberName(line, skipSpace(line, i+1))
	if !ok || string(key) != "method" || i >= len(line) || line[i] != '"' {
		return nil, 0, false
	}
	end, err := skipString(line, i)
	if err != nil {
		return nil, 0, false
	}
	method := line[i:end]
	i = skipSpace(line, end)
	if i >= len(line) || line[i] != ',' {
		return nil, 0, false
	}
	key, i, ok = memberName(line, skipSpace(line, i+1))
	if !ok || string(key) != "params" || i >= len(line) || line[i] != '{' {
		return nil, 0, false
	}
	return method, i, true
}

// memberName reads `"name"` and the colon after it at line[i], returning the name and the
// index of the value.
func memberName(line []byte, i int) ([]byte, int, bool) {
	if i >= len(line) || line[i] != '"' {
		return nil, 0, false
	}
	end, err := skipString(line, i)
	if err != nil {
		return nil, 0, false
	}
	name := line[i+1 : end-1]
	j := skipSpace(line, end)
	if j >= len(line) || line[j] != ':' {
		return nil, 0, false
	}
	return name, skipSpace(line, j+1), true
}

// trailingScalars walks backwards from the frame's closing brace over members whose values
// are numbers, literals or plain strings, and returns the index of the '}' that closes the
// value starting at start. An "id" member, an escaped string or any other shape fails, so
// such frames take the strict path.
func trailingScalars(line []byte, start int) (int, bool) {
	e := lastNonSpace(line, len(line)-1)
	if e <= start || line[e] != '}' {
		return 0, false
	}
	if end, ok := emittedAtTrailer(line, start, e); ok {
		return end, true
	}
	return backScalars(line, start, e, maxTrailingMembers, func(key, _ []byte) bool { return string(key) != "id" })
}

// emittedAtTrailerName is the one member Codex writes after a notification's params.
const emittedAtTrailerName = `,"emittedAtMs":`

// emittedAtTrailer recognises the trailer Codex puts on every notification, params followed by
// `,"emittedAtMs":<digits>` and the frame's closing brace at end, and returns the index of the
// '}' closing params. It is the common case of backScalars, without its general walk.
func emittedAtTrailer(line []byte, start, end int) (int, bool) {
	d := end - 1
	for d > start && line[d] >= '0' && line[d] <= '9' {
		d--
	}
	n := d + 1 - len(emittedAtTrailerName)
	if d == end-1 || n <= start || string(line[n:d+1]) != emittedAtTrailerName || line[n-1] != '}' {
		return 0, false
	}
	return n - 1, true
}

// backScalars walks backwards over the scalar members (numbers, literals, strings without
// escapes) that end the object whose closing '}' is b[end], never looking at or before start.
// fn sees each member, last first, and stops the walk by returning false. It returns the index
// of the '}' that closes the non-scalar value before those members; ok is false when the walk
// was stopped, met another shape, or went past maxMembers.
func backScalars(b []byte, start, end, maxMembers int, fn func(key, val []byte) bool) (int, bool) {
	e := lastNonSpace(b, end-1)
	for n := 0; n <= maxMembers; n++ {
		if e <= start {
			return 0, false
		}
		if b[e] == '}' {
			return e, true
		}
		v := e
		if b[v] == '"' {
			open := bytes.LastIndexByte(b[:v], '"')
			if open <= start || bytes.IndexByte(b[open:v], '\\') >= 0 {
				return 0, false
			}
			v = open
		} else {
			for v > start && isLiteralByte(b[v]) {
				v--
			}
			if v == e {
				return 0, false
			}
			v++
		}
		c := lastNonSpace(b, v-1)
		if c <= start || b[c] != ':' {
			return 0, false
		}
		k := lastNonSpace(b, c-1)
		if b[k] != '"' {
			return 0, false
		}
		open := bytes.LastIndexByte(b[:k], '"')
		if open <= start || bytes.IndexByte(b[open:k], '\\') >= 0 || !fn(b[open+1:k], b[v:e+1]) {
			return 0, false
		}
		comma := lastNonSpace(b, open-1)
		if comma <= start || b[comma] != ',' {
			return 0, false
		}
		e = lastNonSpace(b, comma-1)
	}
	return 0, false
}

func lastNonSpace(b []byte, i int) int {
	for i >= 0 {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i--
		default:
			return i
		}
	}
	return i
}
