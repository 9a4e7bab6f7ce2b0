package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// scrubDetails turns details into plain JSON values (so the stored form re-encodes exactly when
// verified) and redacts every string in them, map keys included, scanning each string once
// (twice when a map key holds a secret). The result shares the maps and slices of details
// that redaction left unchanged.
// Details made only of strings, Excerpts, integers, booleans, nil, string slices and nested maps of those
// (everything Symphony records) are walked as they are; anything else goes through a JSON round
// trip first.
func scrubDetails(details map[string]any, r Redactor) (map[string]any, error) {
	if len(details) == 0 {
		return nil, nil
	}
	if out, ok := scrubPlain(details, r); ok {
		return out, nil
	}
	return scrubRoundTrip(details, r)
}

// scrubRoundTrip encodes details and decodes them again, numbers kept as their text, before
// redacting, so any value that encodes to JSON is stored as the JSON it encodes to.
func scrubRoundTrip(details map[string]any, r Redactor) (map[string]any, error) {
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var plain map[string]any
	if err := dec.Decode(&plain); err != nil {
		return nil, err
	}
	out, ok := scrubValue(plain, r).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("details are not a JSON object")
	}
	return out, nil
}

// scrubPlain redacts m when every value in it encodes to JSON that decodes back to the same
// text, and reports false, having scanned nothing, when one does not. What redaction leaves
// as it was is not copied (see scrubShared); only when it would change a map key is every
// string scanned a second time, to build the result the plain way.
func scrubPlain(m map[string]any, r Redactor) (map[string]any, bool) {
	if !plainValue(m) {
		return nil, false
	}
	if out, _, ok := scrubShared(m, r); ok {
		return out.(map[string]any), true
	}
	return scrubValue(m, r).(map[string]any), true
}

// scrubShared is scrubValue sharing what redaction leaves as it was: a map or slice whose
// strings all come back unchanged, holding no Excerpt or string slice to convert, is returned
// itself instead of a copy, and a changed one is copied once, after its first change. Nearly
// every record's details are that clean, and copying them was the log's largest allocation. It
// reports whether v changed, and gives up (ok false) when redaction changes a map key, since
// a key renamed onto another key must be resolved the way scrubValue resolves it.
func scrubShared(v any, r Redactor) (out any, changed, ok bool) {
	switch v := v.(type) {
	case string:
		red := r.Redact(v)
		return red, red != v, true
	case Excerpt, []string:
		return scrubValue(v, r), true, true
	case map[string]any:
		var copied map[string]any
		for k, x := range v {
			if r.Redact(k) != k {
				return nil, false, false
			}
			sx, changed, ok := scrubShared(x, r)
			if !ok {
				return nil, false, false
			}
			if !changed {
				continue
			}
			if copied == nil {
				copied = maps.Clone(v)
			}
			copied[k] = sx
		}
		if copied == nil {
			return v, false, true
		}
		return copied, true, true
	case []any:
		var copied []any
		for i, x := range v {
			sx, changed, ok := scrubShared(x, r)
			if !ok {
				return nil, false, false
			}
			if !changed {
				continue
			}
			if copied == nil {
				copied = slices.Clone(v)
			}
			copied[i] = sx
		}
		if copied == nil {
			return v, false, true
		}
		return copied, true, true
	default:
		return v, false, true
	}
}

// plainValue reports whether v is built only of types scrubValue and the canonical encoding
// handle exactly without a JSON round trip. Floats are not: NaN and infinities do not encode.
func plainValue(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, int, int64, uint64, Excerpt:
		return true
	case []string:
		return true
	case map[string]any:
		for _, x := range v {
			if !plainValue(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !plainValue(x) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

func scrubValue(v any, r Redactor) any {
	switch v := v.(type) {
	case string:
		return r.Redact(v)
	case Excerpt:
		return v.cut(r.Redact(v.Text))
	case []string:
		if v == nil {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.Redact(x)
		}
		return out
	case map[string]any:
		if v == nil {
			return nil
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.Redact(k)] = scrubValue(x, r)
		}
		return out
	case []any:
		if v == nil {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = scrubValue(x, r)
		}
		return out
	default:
		return v
	}
}
