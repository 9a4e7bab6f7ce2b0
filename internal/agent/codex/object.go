package codex

import (
	"errors"
	"fmt"
)

// objectReader reads the top-level members of a JSON object one at a time without decoding
// their values. It allocates nothing, so the protocol path can pick out the few members it
// needs and stop there.
type objectReader struct {
	b []byte
	// i is the index of the next member name, of the current value once its name was read,
	// or just past the closing brace once done.
	i    int
	done bool
	err  error
}

func readObject(b []byte) objectReader {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return objectReader{b: b, err: errNotObject}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return objectReader{b: b, i: i + 1, done: true}
	}
	return objectReader{b: b, i: i}
}

// name reads the next member's name and the colon after it, leaving the reader at the value.
// It reports false at the end of the object or on a syntax error (see err).
func (r *objectReader) name() ([]byte, bool) {
	if r.done || r.err != nil {
		return nil, false
	}
	b, i := r.b, r.i
	if i >= len(b) || b[i] != '"' {
		r.err = fmt.Errorf("expected a member name at byte %d", i)
		return nil, false
	}
	end, err := skipString(b, i)
	if err != nil {
		r.err = err
		return nil, false
	}
	if end < len(b) && b[end] == ':' && end+1 < len(b) && b[end+1] > ' ' {
		// Compact JSON, as Codex writes it.
		r.i = end + 1
		return b[i+1 : end-1], true
	}
	j := skipSpace(b, end)
	if j >= len(b) || b[j] != ':' {
		r.err = fmt.Errorf("expected ':' after member name at byte %d", j)
		return nil, false
	}
	r.i = skipSpace(b, j+1)
	return b[i+1 : end-1], true
}

// value skips over the current value and the separator after it, and returns the value. A
// bad separator is recorded in err and ends the walk at the next name, but the value itself
// is still returned.
func (r *objectReader) value() ([]byte, bool) {
	b, start := r.b, r.i
	end, err := skipValue(b, start)
	if err != nil {
		r.err = err
		return nil, false
	}
	if end+1 < len(b) && b[end] == ',' && b[end+1] == '"' {
		// Compact JSON, as Codex writes it: the next member follows at once.
		r.i = end + 1
		return b[start:end], true
	}
	i := skipSpace(b, end)
	switch {
	case i >= len(b):
		r.err = errors.New("frame ends inside an object")
	case b[i] == ',':
		r.i = skipSpace(b, i+1)
	case b[i] == '}':
		r.i, r.done = i+1, true
	default:
		r.err = fmt.Errorf("unexpected %q at byte %d", b[i], i)
	}
	return b[start:end], true
}

// member reads the next member's name and value; false at the end or on a syntax error.
func (r *objectReader) member() (key, val []byte, ok bool) {
	if key, ok = r.name(); ok {
		val, ok = r.value()
	}
	return key, val, ok
}

// rest returns the input from the current value to its end.
func (r *objectReader) rest() []byte { return r.b[r.i:] }

// walkObject calls fn with each top-level member of the JSON object in b, in order, and
// checks that nothing follows the object.
func walkObject(b []byte, fn func(key, val []byte) error) error {
	r := readObject(b)
	for key, val, ok := r.member(); ok; key, val, ok = r.member() {
		if err := fn(key, val); err != nil {
			return err
		}
	}
	if r.err != nil {
		return r.err
	}
	return checkTrailing(b, r.i)
}

// members returns the raw values of the named top-level members of obj (nil when absent or
// when obj is not an object). It stops reading as soon as all of them are found, so members
// placed after them, such as bulky command output, are never scanned.
func members(obj []byte, keys ...string) [][]byte {
	out := make([][]byte, len(keys))
	pick(obj, out, keys...)
	return out
}

// pick is members writing into out, which must be as long as keys; on the protocol path out
// is an array on the caller's stack.
func pick(obj []byte, out [][]byte, keys ...string) {
	missing := len(keys)
	r := readObject(obj)
	for key, val, ok := r.member(); ok && missing > 0; key, val, ok = r.member() {
		for i, k := range keys {
			if out[i] == nil && string(key) == k {
				out[i] = val
				missing--
			}
		}
	}
}

// valueTail returns obj from the start of the value of the named top-level member to the
// end of obj, or nil. Unlike members it does not look for where that value ends, so a large
// object can be read member by member without first being skipped over in full.
func valueTail(obj []byte, key string) []byte {
	r := readObject(obj)
	for {
		name, ok := r.name()
		if !ok {
			return nil
		}
		if string(name) == key {
			return r.rest()
		}
		if _, ok := r.value(); !ok {
			return nil
		}
	}
}
