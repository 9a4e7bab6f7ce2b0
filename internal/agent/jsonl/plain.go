package jsonl

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// PlainDecoder is a params type that decodes the shapes its agent writes without the JSON
// engine's reflection. DecodePlain gets the params as written, checked to be valid JSON and
// not null, and either decodes them exactly as encoding/json would and reports true, or
// reports false, having changed nothing, for a shape it does not know (a member named with
// an escape or twice, a value of another type); the JSON engine then decodes them.
type PlainDecoder interface {
	DecodePlain(params []byte) bool
}

// decodePlainParams decodes params into slot, a new(*T), through T's DecodePlain when *T is
// a PlainDecoder; ok is false when it is not or DecodePlain declined.
func decodePlainParams(params []byte, slot any) (decoded any, ok bool) {
	ptr := reflect.ValueOf(slot).Elem()
	if !reflect.PointerTo(ptr.Type().Elem()).Implements(plainDecoderType) {
		return nil, false
	}
	v := reflect.New(ptr.Type().Elem())
	if !v.Interface().(PlainDecoder).DecodePlain(params) {
		return nil, false
	}
	ptr.Set(v)
	return v.Interface(), true
}

var plainDecoderType = reflect.TypeFor[PlainDecoder]()

// PlainMembers calls visit with the name and value of each member of obj, a JSON value known
// to be valid, in order. It reports false, having stopped, when obj is not an object, when a
// name has an escape or a byte outside printable ASCII (its match takes Unicode folding), or
// when visit reports false.
func PlainMembers(obj []byte, visit func(name, value []byte) bool) bool {
	var buf [16]span
	members, ok := appendMembers(obj, buf[:0])
	if !ok {
		return false
	}
	for _, m := range members {
		name := obj[m.nameStart:m.nameEnd]
		if !plainASCII(name) || !visit(name, obj[m.valueStart:m.valueEnd]) {
			return false
		}
	}
	return true
}

// NameIs reports whether a plain member name matches a field name as encoding/json matches
// them: the same letters without regard to ASCII case.
func NameIs(name []byte, field string) bool {
	return len(name) == len(field) && bytes.EqualFold(name, []byte(field))
}

// PlainString decodes value, a valid JSON value, as a string the way encoding/json does; ok
// is false when it is not a string or holds invalid UTF-8 (which encoding/json replaces).
func PlainString(value []byte) (s string, ok bool) {
	if len(value) < 2 || value[0] != '"' {
		return "", false
	}
	inner := value[1 : len(value)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if !utf8.Valid(inner) {
			return "", false
		}
		return string(inner), true
	}
	if s, ok := unquoteShort(inner); ok {
		return s, true
	}
	out, err := jsontext.AppendUnquote(nil, value)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// unquoteShort decodes the inside of a JSON string whose escapes are all two-byte ones
// (\n, \t, \", ...) and whose bytes are valid UTF-8, what command output nearly always is;
// ok is false for anything else (a \u escape), which the general unquoting then takes.
func unquoteShort(inner []byte) (string, bool) {
	if !utf8.Valid(inner) {
		return "", false
	}
	var out strings.Builder
	out.Grow(len(inner))
	for {
		k := bytes.IndexByte(inner, '\\')
		if k < 0 {
			out.Write(inner)
			return out.String(), true
		}
		out.Write(inner[:k])
		if k+1 >= len(inner) {
			return "", false
		}
		c := inner[k+1]
		switch c {
		case '"', '\\', '/':
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default:
			return "", false
		}
		out.WriteByte(c)
		inner = inner[k+2:]
	}
}
