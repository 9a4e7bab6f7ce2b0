package jsonl

import (
	"bytes"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"

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
// checker; only params of a type the consumer reads are decoded, by the type itself when it
// is a PlainDecoder and otherwise by the JSON engine. ok is false
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
		f.Method = methodName(raw[1 : len(raw)-1])
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
	params := value(memberParams)
	if string(params) == "null" {
		return f, true
	}
	if decoded, ok := decodePlainParams(params, slot); ok {
		f.Decoded = decoded
		return f, true
	}
	err := jsonv2.Unmarshal(params, slot, v1Semantics)
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

// Method names are interned: an agent uses a few dozen, and each of its lines would otherwise
// allocate its method's name again. The table is copied on write, so lookups take no lock.
var (
	methodNames   atomic.Pointer[map[string]string]
	methodNamesMu sync.Mutex
)

// maxMethodNames bounds the table; names past it are allocated per line.
const maxMethodNames = 256

// methodName returns raw as a string, the interned copy when there is one.
func methodName(raw []byte) string {
	if names := methodNames.Load(); names != nil {
		if name, ok := (*names)[string(raw)]; ok {
			return name
		}
	}
	name := string(raw)
	methodNamesMu.Lock()
	defer methodNamesMu.Unlock()
	names := map[string]string{}
	if old := methodNames.Load(); old != nil {
		if len(*old) >= maxMethodNames {
			return name
		}
		names = maps.Clone(*old)
	}
	names[name] = name
	methodNames.Store(&names)
	return name
}
