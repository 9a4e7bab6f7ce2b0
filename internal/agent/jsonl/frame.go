package jsonl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics makes the JSON v2 engine decode exactly as encoding/json does (member names
// matched without regard to case, the last duplicate winning, invalid UTF-8 replaced, the
// first wrong-typed value reported after the rest was decoded). The engine is what differs:
// it checks and decodes in one pass where encoding/json scans every line twice, which made
// it the largest share of the service's CPU per MiB of agent output.
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
	env := frameEnvelope{paramsFor: paramsFor}
	env.Method.env = &env
	env.Params = &env.early
	if err := env.decode(line); err != nil {
		return Frame{}, err
	}
	if env.early.seen || env.Method.seen > 1 {
		method := env.Method.name
		env = frameEnvelope{slot: paramsFor(method)}
		env.Params = env.slot
		if env.slot == nil {
			env.Params = new(skipValue)
		}
		if err := env.decode(line); err != nil {
			return Frame{}, err
		}
	}
	f := Frame{Message: Message{ID: env.ID, Method: env.Method.name, Result: env.Result, Error: env.Error.err}, DecodedErr: env.paramsErr}
	if string(f.ID) == "null" {
		f.ID = nil
	}
	if env.slot != nil {
		if p := reflect.ValueOf(env.slot).Elem(); !p.IsNil() {
			f.Decoded = p.Interface()
		}
	}
	return f, nil
}

// frameEnvelope is what DecodeFrame decodes a line into.
type frameEnvelope struct {
	ID     json.RawMessage `json:"id"`
	Method methodMember    `json:"method"`
	Params any             `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  errorMember     `json:"error"`

	paramsFor ParamsFor
	// slot is paramsFor's new(*T) for the method, which Params points at.
	slot any
	// early records params met before any method.
	early     earlyParams
	paramsErr error
}

// decode decodes line into env. encoding/json's semantics go on past a value of the wrong type
// and report the first one at the end; methodMember and errorMember fail at once instead, so
// such an error is the params' own and leaves the rest of the message good.
func (env *frameEnvelope) decode(line []byte) error {
	err := jsonv2.Unmarshal(line, env, v1Semantics)
	if typeErr, ok := err.(*jsonv1.UnmarshalTypeError); ok {
		env.paramsErr = typeErr
		return nil
	}
	if err != nil {
		return fmt.Errorf("malformed JSON line: %w", err)
	}
	return nil
}

// methodMember is the method; reading it points the envelope's params at the method's type.
type methodMember struct {
	name string
	seen int
	// env is the envelope whose params follow the method, nil once the method is known.
	env *frameEnvelope
}

func (m *methodMember) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	if err := json.Unmarshal(data, &m.name); err != nil {
		return fmt.Errorf("method: %w", err)
	}
	m.seen++
	if env := m.env; env != nil {
		env.slot = env.paramsFor(m.name)
		env.Params = env.slot
		if env.slot == nil {
			env.Params = new(skipValue)
		}
	}
	return nil
}

// errorMember is a JSON-RPC error object.
type errorMember struct{ err *RPCError }

func (e *errorMember) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		e.err = nil
		return nil
	}
	if e.err == nil {
		e.err = new(RPCError)
	}
	if err := json.Unmarshal(data, e.err); err != nil {
		return fmt.Errorf("error: %w", err)
	}
	return nil
}

// earlyParams takes params met before any method, which cannot know their type yet.
type earlyParams struct{ seen bool }

func (p *earlyParams) UnmarshalJSON([]byte) error {
	p.seen = true
	return nil
}

// skipValue takes any JSON value and keeps nothing of it.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }
