package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// checkParamsMatchEncodingJSON decodes line as the reader goroutine does and holds the params
// of method it finds, of type P, to what encoding/json makes of the same line decoding them
// as Plain, a type of plain fields it decodes by reflection, which view turns into what the
// adapter keeps: the same failure of the line, the same params error or none, equal params.
func checkParamsMatchEncodingJSON[P, Plain any](t *testing.T, line []byte, method string, view func(*Plain) *P) {
	t.Helper()
	got, err := decodeFrame(line)
	var envelope struct {
		Method string          `json:"method"`
		Error  *jsonl.RPCError `json:"error"`
	}
	envelopeErr := json.Unmarshal(line, &envelope)
	if err != nil {
		// The line fails as a whole only where encoding/json fails on it too (the params aside).
		if envelopeErr == nil && bytes.HasPrefix(bytes.TrimLeft(line, " \t\r\n"), []byte("{")) {
			t.Fatalf("%q: %v, where encoding/json decodes the envelope", line, err)
		}
		return
	}
	if envelopeErr != nil {
		t.Fatalf("%q: decoded, where encoding/json fails on the envelope: %v", line, envelopeErr)
	}
	if got.Method != method {
		if _, ok := got.Decoded.(*P); ok {
			t.Fatalf("%q: %s params decoded for method %q", line, method, got.Method)
		}
		return
	}
	var want struct {
		Params *Plain `json:"params"`
	}
	wantErr := json.Unmarshal(line, &want)
	if wantErr != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(wantErr, &typeErr) {
			t.Fatalf("%q: encoding/json fails with %v on a line it found valid", line, wantErr)
		}
		if _, ok := got.DecodedErr.(*jsonv1.UnmarshalTypeError); !ok {
			t.Fatalf("%q: params error %v (%T), where encoding/json reports %v", line, got.DecodedErr, got.DecodedErr, wantErr)
		}
		return
	}
	if got.DecodedErr != nil {
		t.Fatalf("%q: params error %v, where encoding/json decodes them", line, got.DecodedErr)
	}
	if want.Params == nil {
		if got.Decoded != nil {
			t.Fatalf("%q: decoded %#v from absent or null params", line, got.Decoded)
		}
		return
	}
	if !reflect.DeepEqual(got.Decoded, view(want.Params)) {
		t.Fatalf("%q:\n got %#v\nwant %#v", line, got.Decoded, view(want.Params))
	}
}

// checkEveryFieldDecoded decodes, for each field of the struct that structOf finds in params
// of type P, a line that line makes of a member setting only that field (names are the
// struct's JSON field names), and fails for a field left zero: one added to the types but not
// to their decoding.
func checkEveryFieldDecoded[P any](t *testing.T, names []string, line func(member string) string, structOf func(*P) any) {
	t.Helper()
	var sampleOf func(ft reflect.Type) string
	sampleOf = func(ft reflect.Type) string {
		switch {
		case ft.Kind() == reflect.String:
			return `"x"`
		case ft.Kind() == reflect.Int64, ft.Kind() == reflect.Pointer && (ft.Elem().Kind() == reflect.Int || ft.Elem().Kind() == reflect.Int64):
			return `1`
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
			return `true`
		case ft == reflect.TypeFor[json.RawMessage]():
			return `{"a":1}`
		case ft.Kind() == reflect.Slice:
			return `[{}]`
		case ft.Kind() == reflect.Struct:
			first := ft.Field(0)
			name, _, _ := strings.Cut(first.Tag.Get("json"), ",")
			return `{"` + name + `":` + sampleOf(first.Type) + `}`
		}
		t.Fatalf("no sample value for a field of type %v", ft)
		return ""
	}
	for i, name := range names {
		var zero P
		typ := reflect.TypeOf(structOf(&zero)).Elem()
		l := line(`"` + name + `":` + sampleOf(typ.Field(i).Type))
		f, err := decodeFrame([]byte(l))
		if err != nil || f.DecodedErr != nil {
			t.Fatalf("%s: %v %v", l, err, f.DecodedErr)
		}
		if reflect.ValueOf(structOf(f.Decoded.(*P))).Elem().Field(i).IsZero() {
			t.Errorf("%s: %s not decoded", l, typ.Field(i).Name)
		}
	}
}
