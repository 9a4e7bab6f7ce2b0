package audit

import (
	"errors"
	"slices"
	"strconv"
)

// Field is one detail of a record given as Fields: a string, or an integer when made by Int.
type Field struct {
	Key   string
	Text  string
	Int   int64
	isInt bool
}

// Text is a string detail.
func Text(key, value string) Field { return Field{Key: key, Text: value} }

// Int is an integer detail.
func Int(key string, value int64) Field { return Field{Key: key, Int: value, isInt: true} }

// Fields are a record's details as strings and integers in ascending key order, for records
// written by the thousand (every shell command an agent runs): the log stores them byte for
// byte as it would store the map Map returns, without that map being built, walked, sorted
// and looked up on the way. Keys must be unique and ascending, as the stored JSON has them.
type Fields []Field

// Map returns the details as the map the log would store the same way.
func (fs Fields) Map() map[string]any {
	if len(fs) == 0 {
		return nil
	}
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		if f.isInt {
			m[f.Key] = f.Int
		} else {
			m[f.Key] = f.Text
		}
	}
	return m
}

// scrubEventDetails scrubs ev's Details, or its Fields, which stay Fields unless only the
// map's scrubbing can place what redaction did to them.
func scrubEventDetails(ev Event, r Redactor) (map[string]any, Fields, error) {
	if ev.Fields == nil {
		details, err := scrubDetails(ev.Details, r)
		return details, nil, err
	}
	if ev.Details != nil {
		return nil, nil, errors.New("details given both as a map and as Fields")
	}
	if fields, ok := scrubFields(ev.Fields, r); ok {
		return nil, fields, nil
	}
	details, err := scrubDetails(ev.Fields.Map(), r)
	return details, nil, err
}

// scrubFields redacts every value of fs, sharing fs when nothing changed, and reports false
// when a key is out of order or redaction changes one: then only the map's scrubbing knows
// where the renamed key goes.
func scrubFields(fs Fields, r Redactor) (Fields, bool) {
	var out Fields
	for i, f := range fs {
		if i > 0 && fs[i-1].Key >= f.Key || r.Redact(f.Key) != f.Key {
			return nil, false
		}
		if f.isInt {
			continue
		}
		if red := r.Redact(f.Text); red != f.Text {
			if out == nil {
				out = slices.Clone(fs)
			}
			out[i].Text = red
		}
	}
	if out == nil {
		return fs, true
	}
	return out, true
}

// appendFields appends fs as the JSON object appendValue makes of fs.Map().
func appendFields(dst []byte, fs Fields) []byte {
	dst = append(dst, '{')
	for i, f := range fs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, f.Key)
		dst = append(dst, ':')
		if f.isInt {
			dst = strconv.AppendInt(dst, f.Int, 10)
		} else {
			dst = appendString(dst, f.Text)
		}
	}
	return append(dst, '}')
}
