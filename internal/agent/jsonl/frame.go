package jsonl

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics makes the JSON v2 engine read and decode exactly as encoding/json does (invalid
// UTF-8 replaced, duplicate member names allowed, struct members matched without regard to
// case, the first wrong-typed value reported after the rest was decoded). The engine is what
// differs: encoding/json scans every line twice, to check it and then to decode it, where
// DecodeFrame reads it once, member by member. Params the library decodes into a type are
// scanned twice, because reporting errors as encoding/json does means checking the whole
// value before decoding it (a syntax error must win over a type error); params of a type that
// decodes itself are not (see decodeParams).
var v1Semantics = jsonv1.DefaultOptionsV1()

// ParamsFor picks where a message's params are decoded, by its method: new(*T) for the type
// T the consumer reads for that method, or nil for a method whose params it ignores, which
// are then only checked to be valid JSON.
type ParamsFor func(method string) any

// Frame is a JSON-RPC message whose params were decoded, in the same pass as the envelope,
// into the type its consumer reads for the method. Its Message has no Params.
type Frame struct {
	Message
	// Decoded is the *T of the method's new(*T), filled in from the params; nil when the
	// method has no params type or the message has no params (or null ones).
	Decoded any
	// DecodedErr is why the params do not fit T (a member of another type). The rest of the
	// message is still good: a request whose params are wrong must still be answered.
	DecodedErr error
}

// DecodeFrame decodes one line as a JSON-RPC message in a single pass: the
// method member, which JSON-RPC peers write before the params, points the params member at
// paramsFor(method), so the params are decoded straight into their type instead of being
// copied out and decoded a second time. Only a line whose params come before its method, or
// that names a method twice, is decoded again once its method is known. Members are matched
// as encoding/json matches struct fields (without regard to case, the last of duplicates
// winning), and line must be exactly one object. The frame holds copies of what it keeps,
// never slices of line.
func DecodeFrame(line []byte, paramsFor ParamsFor) (Frame, error) {
	if trimmed := bytes.TrimLeft(line, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' && json.Valid(line) {
		return Frame{}, ErrNotObject
	}
	ld := lineDecoders.Get().(*lineDecoder)
	defer ld.release()
	walk := frameWalk{paramsFor: paramsFor, strings: &ld.strings}
	err := walk.object(ld.start(line))
	if err == nil && (walk.earlyParams || walk.methods > 1) {
		walk = frameWalk{strings: &ld.strings, slot: paramsFor(walk.method), slotFixed: true}
		err = walk.object(ld.start(line))
	}
	if err != nil {
		return Frame{}, fmt.Errorf("malformed JSON line: %w", err)
	}
	f := Frame{Message: Message{ID: walk.id, Method: walk.method, Result: walk.result, Error: walk.rpcErr}, DecodedErr: walk.paramsErr}
	if string(f.ID) == "null" {
		f.ID = nil
	}
	if walk.slot != nil {
		if p := reflect.ValueOf(walk.slot).Elem(); !p.IsNil() {
			f.Decoded = p.Interface()
		}
	}
	return f, nil
}

// lineDecoder is a decoder reading one line in place: jsontext reads a bytes.Buffer's bytes
// without copying them.
type lineDecoder struct {
	in  bytes.Buffer
	dec jsontext.Decoder
	// strings makes the methods, which repeat from line to line, strings once.
	strings stringReader
}

// lineDecoders are reused across lines: a fresh decoder costs three allocations (about 380
// bytes) a line.
var lineDecoders = sync.Pool{New: func() any { return new(lineDecoder) }}

func (ld *lineDecoder) start(line []byte) *jsontext.Decoder {
	ld.in = *bytes.NewBuffer(line)
	ld.dec.Reset(&ld.in, v1Semantics)
	return &ld.dec
}

// release returns the decoder to the pool without the line, which can be as long as the line
// cap: the pool must not keep it alive.
func (ld *lineDecoder) release() {
	ld.in = bytes.Buffer{}
	ld.dec.Reset(&ld.in)
	ld.strings.forget()
	lineDecoders.Put(ld)
}

// errTrailingValue is the error of a line that holds more than one JSON value.
var errTrailingValue = errors.New("more than one JSON value on the line")

// frameWalk reads a line's top-level object member by member, deciding from each member's
// name what to do with its value: keep it (id, result), read it as a token (method), decode
// it with the library (error, the params of a method the consumer reads) or check and skip
// it (the params of other methods, unknown members).
type frameWalk struct {
	paramsFor ParamsFor
	strings   *stringReader

	id, result json.RawMessage
	method     string
	// methods counts the non-null method members met.
	methods int
	rpcErr  *RPCError

	// slot is paramsFor's new(*T) for the method, which the params are decoded into.
	slot any
	// slotFixed is set on the second walk of a line, whose slot was chosen from the last
	// method before the walk began.
	slotFixed bool
	// earlyParams records params met before any method, which could not know their type.
	earlyParams bool
	paramsErr   error
}

// object walks the one object the line must hold. encoding/json's semantics go on past a
// value of the wrong type and report the first one at the end; a wrong-typed method or error
// fails the line at once instead, so a type error kept in paramsErr is the params' own and
// leaves the rest of the message good.
func (w *frameWalk) object(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		// Valid JSON that is not an object was reported before the walk: reading this line
		// ends in its syntax error.
		if _, err := dec.ReadValue(); err != nil {
			return err
		}
		return cmp.Or(endOfLine(dec), ErrNotObject)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := w.member(dec, memberNamed(name.String())); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	return endOfLine(dec)
}

// endOfLine checks that nothing but whitespace follows the line's value.
func endOfLine(dec *jsontext.Decoder) error {
	if _, err := dec.ReadToken(); err != io.EOF {
		return cmp.Or(err, errTrailingValue)
	}
	return nil
}

// member reads the value of one member, which the decoder is at.
func (w *frameWalk) member(dec *jsontext.Decoder, m envelopeMember) error {
	switch m {
	case memberID:
		return readRaw(dec, &w.id)
	case memberResult:
		return readRaw(dec, &w.result)
	case memberMethod:
		return w.readMethod(dec)
	case memberError:
		// A local, not &w.rpcErr, so that the walk itself stays off the heap.
		rpcErr := w.rpcErr
		if err := jsonv2.UnmarshalDecode(dec, &rpcErr); err != nil {
			return fmt.Errorf("error: %w", err)
		}
		w.rpcErr = rpcErr
		return nil
	case memberParams:
		return w.readParams(dec)
	}
	return skipValue(dec)
}

// readRaw keeps a copy of the next value in dst.
func readRaw(dec *jsontext.Decoder, dst *json.RawMessage) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*dst = bytes.Clone(v)
	return nil
}

// readMethod reads the method, which on the first walk points the params at the method's
// type. A null method is no method, as for a string field in encoding/json.
func (w *frameWalk) readMethod(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		return nil
	case '"':
	default:
		return fmt.Errorf("method: a JSON %v is not a string", raw.Kind())
	}
	w.method = w.strings.string(raw)
	w.methods++
	if !w.slotFixed {
		w.slot = w.paramsFor(w.method)
	}
	return nil
}

// readParams decodes the params into the slot, or checks and skips them when there is none
// (or the method is not known yet). Duplicate params are decoded into the same slot, so they
// merge as encoding/json merges them.
func (w *frameWalk) readParams(dec *jsontext.Decoder) error {
	if w.methods == 0 && !w.slotFixed {
		w.earlyParams = true
	}
	if w.slot == nil || w.earlyParams {
		return skipValue(dec)
	}
	err := decodeParams(dec, w.slot)
	if typeErr, ok := err.(*jsonv1.UnmarshalTypeError); ok {
		if w.paramsErr == nil {
			w.paramsErr = typeErr
		}
		return nil
	}
	return err
}

// unmarshalerFrom is the library's interface of a type that decodes itself from a decoder.
var unmarshalerFrom = reflect.TypeFor[jsonv2.UnmarshalerFrom]()

// decodeParams decodes the params value dec is at into slot, a **T, as the library would with
// encoding/json's semantics. A *T that decodes itself (jsonv2.UnmarshalerFrom) is called
// directly, sparing the library's scan of the whole value before decoding it. The library
// makes that scan so that a syntax error wins over a type error; without it that still holds,
// because a type error is returned only once the rest of the value is read, by the method or
// here from wherever the method stopped.
func decodeParams(dec *jsontext.Decoder, slot any) error {
	params := reflect.ValueOf(slot).Elem()
	if !params.Type().Implements(unmarshalerFrom) {
		return jsonv2.UnmarshalDecode(dec, slot)
	}
	if dec.PeekKind() == 'n' {
		params.SetZero()
		_, err := dec.ReadToken()
		return err
	}
	if params.IsNil() {
		params.Set(reflect.New(params.Type().Elem()))
	}
	depth := dec.StackDepth()
	_, before := dec.StackIndex(depth)
	err := params.Interface().(jsonv2.UnmarshalerFrom).UnmarshalJSONFrom(dec)
	if _, isTypeErr := err.(*jsonv1.UnmarshalTypeError); isTypeErr {
		if skipErr := skipRemainder(dec, depth, before); skipErr != nil {
			return skipErr
		}
	} else if err != nil {
		return err
	}
	if _, after := dec.StackIndex(depth); dec.StackDepth() != depth || after != before+1 {
		return fmt.Errorf("%v did not read exactly one JSON value", params.Type())
	}
	return err
}

// skipRemainder reads what is left of a value begun at depth when its level held before
// values and names.
func skipRemainder(dec *jsontext.Decoder, depth int, before int64) error {
	for dec.StackDepth() > depth {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	}
	if _, after := dec.StackIndex(depth); after == before {
		return skipValue(dec)
	}
	return nil
}

// envelopeMember is which JSON-RPC member an object member is.
type envelopeMember int

const (
	memberUnknown envelopeMember = iota
	memberID
	memberMethod
	memberParams
	memberResult
	memberError
)

var envelopeNames = [...]string{memberID: "id", memberMethod: "method", memberParams: "params", memberResult: "result", memberError: "error"}

// memberNamed matches a member name as encoding/json matches a struct field: the exact name,
// else the name without regard to case, folded as strings.EqualFold folds it (as
// encoding/json does, so "paramſ" is params).
func memberNamed(name string) envelopeMember {
	switch name {
	case "id":
		return memberID
	case "method":
		return memberMethod
	case "params":
		return memberParams
	case "result":
		return memberResult
	case "error":
		return memberError
	}
	for m, want := range envelopeNames {
		if want != "" && strings.EqualFold(name, want) {
			return envelopeMember(m)
		}
	}
	return memberUnknown
}

// skipValue checks the next value and discards it. It reads the value whole, which checks it
// as fully as Decoder.SkipValue does in about half the time: SkipValue steps through an
// object or array one token at a time.
func skipValue(dec *jsontext.Decoder) error {
	_, err := dec.ReadValue()
	return err
}
