package jsonl

import (
	"bytes"
	"reflect"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The envelope members DecodeFrame reads, in the order of plainFrame's spans.
const (
	memberID = iota
	memberMethod
	memberParams
	memberResult
	memberError
	envelopeMembers
)

var envelopeNames = [envelopeMembers]string{"id", "method", "params", "result", "error"}

// plainMemberBuf is how many top-level members a frame usually has (id or method, params, a
// timestamp), so scanning one allocates nothing.
const plainMemberBuf = 8

// decodePlainFrame decodes the frames agents write nearly always: a valid object whose member
// names are plain ASCII written without escapes, that names each envelope member at most once,
// has no error member and a plain ASCII method. The line is checked by the hand-written
// checker; only params of a type the consumer reads go through the JSON engine. ok is false
// for any other line, which the general decoder then takes, so every outcome (values,
// errors) stays exactly what encoding/json makes of the line.
func decodePlainFrame(line []byte, paramsFor ParamsFor) (Frame, bool) {
	var buf [plainMemberBuf]span
	members, ok := scanObject(line, buf[:0])
	if !ok {
		return Frame{}, false
	}
	var env [envelopeMembers]span
	var seen [envelopeMembers]bool
	for _, m := range members {
		k, sure := envelopeMember(line[m.nameStart:m.nameEnd])
		switch {
		case !sure || k >= 0 && seen[k]:
			return Frame{}, false
		case k >= 0:
			env[k], seen[k] = m, true
		}
	}
	if seen[memberError] {
		return Frame{}, false
	}
	value := func(k int) []byte { return line[env[k].valueStart:env[k].valueEnd] }
	var f Frame
	if seen[memberMethod] {
		raw := value(memberMethod)
		if raw[0] != '"' || !plainASCII(raw[1:len(raw)-1]) {
			return Frame{}, false
		}
		f.Method = string(raw[1 : len(raw)-1])
	}
	if seen[memberID] {
		if raw := value(memberID); string(raw) != "null" {
			f.ID = bytes.Clone(raw)
		}
	}
	if seen[memberResult] {
		f.Result = bytes.Clone(value(memberResult))
	}
	if !seen[memberParams] {
		return f, true
	}
	slot := paramsFor(f.Method)
	if slot == nil {
		return f, true
	}
	err := jsonv2.Unmarshal(value(memberParams), slot, v1Semantics)
	if typeErr, ok := err.(*jsonv1.UnmarshalTypeError); ok {
		f.DecodedErr = typeErr
	} else if err != nil {
		return Frame{}, false
	}
	if p := reflect.ValueOf(slot).Elem(); !p.IsNil() {
		f.Decoded = p.Interface()
	}
	return f, true
}

// envelopeMember is which envelope member a raw member name is, or -1 for another member.
// Names are matched as encoding/json matches them, without regard to ASCII case; sure is
// false for a name with an escape or a non-ASCII byte, whose match takes Unicode folding.
func envelopeMember(name []byte) (k int, sure bool) {
	if !plainASCII(name) {
		return -1, false
	}
	for k, want := range envelopeNames {
		if len(name) == len(want) && bytes.EqualFold(name, []byte(want)) {
			return k, true
		}
	}
	return -1, true
}

// plainASCII reports whether b has no escape and no byte outside printable ASCII.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}
