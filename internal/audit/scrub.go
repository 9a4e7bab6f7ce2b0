package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// scrubDetails turns details into plain JSON values (so the stored form re-encodes exactly when
// verified) and redacts every string in them, map keys included, scanning each string once.
// The result shares the maps and slices of details that redaction left unchanged.
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
	scrubbed, _ := scrubValue(plain, r)
	out, ok := scrubbed.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("details are not a JSON object")
	}
	return out, nil
}

// scrubPlain redacts m when every value in it encodes to JSON that decodes back to the same
// text, and reports false, having scanned nothing, when one does not.
func scrubPlain(m map[string]any, r Redactor) (map[string]any, bool) {
	if !plainValue(m) {
		return nil, false
	}
	out, _ := scrubValue(m, r)
	return out.(map[string]any), true
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

// scrubValue redacts every string in v, map keys included, and turns Excerpts and string
// slices into the values they are stored as; it reports whether the result differs from v.
// What redaction leaves as it was is shared, not copied: nearly every record's details are
// clean, and copying them was the log's largest allocation. A map or slice that changes is
// copied once, at its first change, and never written in place: the caller still owns it.
func scrubValue(v any, r Redactor) (any, bool) {
	switch v := v.(type) {
	case string:
		red := r.Redact(v)
		return red, red != v
	case Excerpt:
		return v.cut(r.Redact(v.Text)), true
	case []string:
		if v == nil {
			return nil, true
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.Redact(x)
		}
		return out, true
	case map[string]any:
		return scrubMap(v, r)
	case []any:
		var out []any
		for i, x := range v {
			sx, changed := scrubValue(x, r)
			if !changed {
				continue
			}
			if out == nil {
				out = slices.Clone(v)
			}
			out[i] = sx
		}
		if out == nil {
			return v, false
		}
		return out, true
	default:
		return v, false
	}
}

// renamedKey is a map entry whose key redaction changed.
type renamedKey struct {
	from, to string
	value    any
}

// scrubMap is scrubValue of a map. Renamed keys are moved after the walk, all old names out
// before any new one goes in, so a new name never collides with an old one still to be read.
func scrubMap(m map[string]any, r Redactor) (any, bool) {
	var out map[string]any
	var renamed []renamedKey
	for k, x := range m {
		sx, changed := scrubValue(x, r)
		if rk := r.Redact(k); rk != k {
			renamed = append(renamed, renamedKey{from: k, to: rk, value: sx})
			continue
		}
		if !changed {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = sx
	}
	if len(renamed) > 0 {
		if out == nil {
			out = maps.Clone(m)
		}
		for _, e := range renamed {
			delete(out, e.from)
		}
		for _, e := range renamed {
			out[e.to] = e.value
		}
	}
	if out == nil {
		return m, false
	}
	return out, true
}
