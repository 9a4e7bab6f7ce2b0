package jsonl

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// ParamsDecoder reads a params value member by member from the line's decoder, for the
// UnmarshalJSONFrom of a params type read on every busy line (see DecodeParams): the
// library's reflection, and its check of the whole value before decoding it, cost several
// times the one scan the token API needs. It keeps encoding/json's semantics, which the fuzz
// tests of its users compare with encoding/json itself:
//   - a member is matched to a field by its exact name, else without regard to case as
//     strings.EqualFold folds it; the last of duplicate members wins, and duplicate objects
//     merge into the same struct (and arrays into the same slice elements);
//   - null leaves a string or struct as it was and clears a pointer or slice;
//   - invalid UTF-8 in a string is replaced by U+FFFD;
//   - a value of another type than its field's is decoded by the library on its own (so
//     whatever encoding/json does with it, the library does), and the first such
//     *jsonv1.UnmarshalTypeError is returned once the whole value is read, so that a syntax
//     error anywhere in it wins;
//   - unknown members are checked and skipped.
type ParamsDecoder struct {
	dec *jsontext.Decoder
	// path holds the names of the members being decoded, which a type error reports.
	path    []string
	typeErr *jsonv1.UnmarshalTypeError
	strings stringReader
}

// paramsDecoders are reused across lines, for their buffers and for their strings, which
// repeat from line to line (an item's type and status, a command's working directory).
var paramsDecoders = sync.Pool{New: func() any { return new(ParamsDecoder) }}

// DecodeParams reads the value dec is at with decode, for a params type's UnmarshalJSONFrom,
// and returns the first syntax error met, else the first type error.
func DecodeParams(dec *jsontext.Decoder, decode func(*ParamsDecoder) error) error {
	d := paramsDecoders.Get().(*ParamsDecoder)
	defer d.release()
	d.dec = dec
	if err := decode(d); err != nil {
		return err
	}
	if d.typeErr != nil {
		return d.typeErr
	}
	return nil
}

// release returns d to the pool without its decoder, error or long buffers.
func (d *ParamsDecoder) release() {
	d.dec, d.typeErr, d.path = nil, nil, d.path[:0]
	d.strings.forget()
	paramsDecoders.Put(d)
}

// FieldNames are the JSON names of T's fields, from their json tags, as Object takes them.
// Every field must be named by its tag, in ASCII, distinct from the others without regard to
// case, as Object's matching assumes.
func FieldNames[T any]() []string {
	t := reflect.TypeFor[T]()
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || !isASCII([]byte(name)) || matchField([]byte(name), names) != "" {
			panic(fmt.Sprintf("jsonl: %v.%s has no JSON name of its own in ASCII", t, t.Field(i).Name))
		}
		names = append(names, name)
	}
	return names
}

// Object reads an object into dst, a pointer to a struct whose JSON field names are fields
// (from FieldNames): member is called for each member with the field it matches, or "" for
// none, and must read the member's value. A value that is not an object is a type error.
func (d *ParamsDecoder) Object(dst any, fields []string, member func(field string) error) error {
	switch d.dec.PeekKind() {
	case '{':
	case 'n':
		return d.null()
	default:
		raw, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		// Not decoded by the library, which would call dst's own UnmarshalJSONFrom again.
		d.keepTypeError(&jsonv1.UnmarshalTypeError{Value: kindName(raw.Kind()), Type: reflect.TypeOf(dst).Elem(), Offset: d.dec.InputOffset()})
		return nil
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		field := matchField(d.strings.text(name), fields)
		d.path = append(d.path, field)
		err = member(field)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

// matchField is the field a member named name sets, as encoding/json matches them.
func matchField(name []byte, fields []string) string {
	for _, f := range fields {
		if string(name) == f {
			return f
		}
	}
	// Runes outside ASCII that fold to ASCII letters (K, ſ) are longer than the letters,
	// so an ASCII name can only fold to a field of its own length.
	ascii := isASCII(name)
	for _, f := range fields {
		if (!ascii || len(name) == len(f)) && strings.EqualFold(string(name), f) {
			return f
		}
	}
	return ""
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Slice reads an array into *dst, each element with element, as encoding/json does: into the
// slice's own elements first, as far as its capacity (which merges duplicate arrays), and an
// empty array makes an empty slice, not nil.
func Slice[E any](d *ParamsDecoder, dst *[]E, element func(*E) error) error {
	switch d.dec.PeekKind() {
	case '[':
	case 'n':
		*dst = nil
		return d.null()
	default:
		return d.library(dst)
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	s := (*dst)[:cap(*dst)]
	n := 0
	for d.dec.PeekKind() != ']' {
		if n == len(s) {
			s = append(s, *new(E))
			s = s[:cap(s)]
		}
		if err := element(&s[n]); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		s = []E{}
	}
	*dst = s[:n]
	_, err := d.dec.ReadToken()
	return err
}

// String reads a string.
func (d *ParamsDecoder) String(dst *string) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case '"':
		*dst = d.strings.string(raw)
	case 'n':
	default:
		return d.libraryFrom(raw, dst)
	}
	return nil
}

// UnquotedPrefix reads a string into *dst as keep makes it from the text of a start of the
// string that holds its first runes runes, or all of them (and perhaps more), which is valid
// only during the call: for a type that keeps only the start of a string that can run to
// megabytes, of which then only about that start is unquoted, into the decoder's reused
// buffer. Anything else is read as String reads it.
func (d *ParamsDecoder) UnquotedPrefix(dst *string, runes int, keep func(text []byte) string) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case '"':
	case 'n':
		return nil
	default:
		return d.libraryFrom(raw, dst)
	}
	*dst = keep(d.strings.prefixText(raw, runes))
	return nil
}

// Integer reads an integer.
func Integer[N int | int64](d *ParamsDecoder, dst *N) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	if raw.Kind() == 'n' {
		return nil
	}
	n, ok := parseInteger[N](raw)
	if !ok {
		return d.libraryFrom(raw, dst)
	}
	*dst = n
	return nil
}

// IntegerPointer reads an integer into a pointer, which is allocated unless it already points
// to one.
func IntegerPointer[N int | int64](d *ParamsDecoder, dst **N) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	if raw.Kind() == 'n' {
		*dst = nil
		return nil
	}
	n, ok := parseInteger[N](raw)
	if !ok {
		return d.libraryFrom(raw, dst)
	}
	if *dst == nil {
		*dst = new(N)
	}
	**dst = n
	return nil
}

// parseInteger is the integer raw holds, unless raw is not a number, or is one with a
// fraction or an exponent, or out of N's range: the library decodes those.
func parseInteger[N int | int64](raw jsontext.Value) (N, bool) {
	if raw.Kind() != '0' {
		return 0, false
	}
	bits := 64
	if _, ok := any(N(0)).(int); ok {
		bits = strconv.IntSize
	}
	n, err := strconv.ParseInt(string(raw), 10, bits)
	return N(n), err == nil
}

// Bool reads a boolean into a pointer, which is allocated unless it already points to one.
func (d *ParamsDecoder) Bool(dst **bool) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 't', 'f':
	case 'n':
		*dst = nil
		return nil
	default:
		return d.libraryFrom(raw, dst)
	}
	if *dst == nil {
		*dst = new(bool)
	}
	**dst = raw.Kind() == 't'
	return nil
}

// Raw keeps a copy of the value as it is written, null included (json.RawMessage keeps null
// as "null").
func (d *ParamsDecoder) Raw(dst *json.RawMessage) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	*dst = append((*dst)[:0], raw...)
	return nil
}

// null reads the null the decoder is at.
func (d *ParamsDecoder) null() error {
	_, err := d.dec.ReadToken()
	return err
}

// Skip checks the value of a member no field matches and discards it.
func (d *ParamsDecoder) Skip() error { return skipValue(d.dec) }

// library decodes a value of another kind than its field's with the library, which does with
// it what encoding/json does: a type error, mostly.
func (d *ParamsDecoder) library(dst any) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	return d.libraryFrom(raw, dst)
}

func (d *ParamsDecoder) libraryFrom(raw jsontext.Value, dst any) error {
	err := jsonv1.Unmarshal(raw, dst)
	if typeErr, ok := err.(*jsonv1.UnmarshalTypeError); ok {
		typeErr.Offset += d.dec.InputOffset() - int64(len(raw))
		d.keepTypeError(typeErr)
		return nil
	}
	return err
}

// keepTypeError keeps the first type error, named by the path of the member it was met in.
func (d *ParamsDecoder) keepTypeError(err *jsonv1.UnmarshalTypeError) {
	if d.typeErr != nil {
		return
	}
	err.Field = strings.Join(d.path, ".")
	d.typeErr = err
}

// kindName names a JSON kind as encoding/json's type errors do.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "bool"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	return "null"
}
