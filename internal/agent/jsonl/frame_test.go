package jsonl

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// probeParams is a params type with members of several kinds, decoded for the method "probe".
type probeParams struct {
	Name string          `json:"name"`
	N    *int64          `json:"n"`
	List []string        `json:"list"`
	Raw  json.RawMessage `json:"raw"`
}

func probeFor(method string) any {
	if method == "probe" {
		return new(*probeParams)
	}
	return nil
}

func TestDecodeFrame(t *testing.T) {
	n := int64(3)
	cases := []struct {
		name    string
		line    string
		want    *probeParams
		typeErr bool
	}{
		{name: "method first", line: `{"method":"probe","params":{"name":"a","n":3,"list":["x"],"raw":{"k":[1]}}}`,
			want: &probeParams{Name: "a", N: &n, List: []string{"x"}, Raw: json.RawMessage(`{"k":[1]}`)}},
		{name: "params first", line: `{"params":{"name":"b"},"id":4,"method":"probe"}`, want: &probeParams{Name: "b"}},
		{name: "method named again after params", line: `{"method":"other","params":{"name":"c"},"METHOD":"probe"}`, want: &probeParams{Name: "c"}},
		{name: "duplicate params merge as encoding/json merges them", line: `{"method":"probe","params":{"name":"d"},"params":{"n":3}}`, want: &probeParams{Name: "d", N: &n}},
		{name: "null params", line: `{"method":"probe","params":null}`},
		{name: "member of another type", line: `{"id":1,"method":"probe","params":{"name":7}}`, typeErr: true},
		{name: "ignored method", line: `{"method":"chatter","params":{"name":"d","deep":[[[{}]]]}}`},
		{name: "no params", line: `{"method":"probe"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := DecodeFrame([]byte(c.line), probeFor)
			if err != nil {
				t.Fatal(err)
			}
			if f.Params != nil {
				t.Errorf("frame kept raw params %s", f.Params)
			}
			if c.typeErr {
				if f.DecodedErr == nil || f.ID == nil {
					t.Fatalf("frame = %+v; want a params error and the id kept for the answer", f)
				}
				return
			}
			if f.DecodedErr != nil {
				t.Fatal(f.DecodedErr)
			}
			if c.want == nil {
				if f.Decoded != nil {
					t.Fatalf("decoded %+v for a method without a params type", f.Decoded)
				}
				return
			}
			if got, ok := f.Decoded.(*probeParams); !ok || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("decoded %#v, want %#v", f.Decoded, c.want)
			}
		})
	}
}

// A probe frame, written with its members in either order, always decodes to what was
// encoded.
func FuzzDecodeFrameValid(f *testing.F) {
	f.Add("a", int64(1), "x", `{"k":1}`, false, " ")
	f.Add("\u2028\xff", int64(-9), "", `[]`, true, "\t\r\n")
	f.Add("&", int64(0), "<", `{"&":"<"}`, false, "")
	f.Fuzz(func(t *testing.T, name string, n int64, item, raw string, paramsFirst bool, space string) {
		if !json.Valid([]byte(raw)) {
			raw = mustJSON(t, raw)
		}
		want := probeParams{Name: strings.ToValidUTF8(name, "\uFFFD"), N: &n, List: []string{strings.ToValidUTF8(item, "\uFFFD")}, Raw: json.RawMessage(raw)}
		params := mustJSON(t, want)
		line := `{"id":1,"method":"probe","params":` + params + `}`
		if paramsFirst {
			line = `{"params":` + params + `,"method":"probe","id":1}`
		}
		if strings.Trim(space, " \t\r\n") == "" {
			line = space + line + space
		}
		got, err := DecodeFrame([]byte(line), probeFor)
		if err != nil || got.DecodedErr != nil {
			t.Fatalf("valid frame %s did not decode: %v, %v", line, err, got.DecodedErr)
		}
		p, ok := got.Decoded.(*probeParams)
		// The line holds raw as encoding/json wrote it into the params: HTML characters escaped.
		wantRaw := json.RawMessage(mustJSON(t, want.Raw))
		if !ok || p.Name != want.Name || *p.N != n || !reflect.DeepEqual(p.List, want.List) || compact(p.Raw) != compact(wantRaw) {
			t.Fatalf("%s decoded to %#v, want %#v", line, got.Decoded, want)
		}
	})
}

// Any input decodes or fails without panicking, only valid JSON ever decodes, the envelope is
// what encoding/json makes of it, and the params are what encoding/json decodes when it knows
// their type up front.
func FuzzDecodeFrameMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":1,"method":"probe","params":{"name":"a","n":2}}`, `{"params":{"list":["x"]},"Method":"probe"}`,
		`{"method":"probe","params":{"n":"x"}}`, `{"method":"probe","params":[`, `{"id":1} x`, `[1]`, "\xff",
		`{"method":"probe","params":{},"params":{"name":"b"}}`, `{"error":{"code":"x"}}`,
		`{"method":"probe","params":{"name":0},"error":{"code":{}}}`, `{"paramſ":{"name":"z"},"METHOD":"probe","ıd":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := DecodeFrame(line, probeFor)
		if err == nil && !json.Valid(line) {
			t.Fatalf("invalid JSON %q decoded to %+v", line, got)
		}
		ref, refErr := decodeInTwoSteps(line)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: DecodeFrame error %v, encoding/json error %v", line, err, refErr)
		}
		if err != nil {
			return
		}
		if !sameMessage(got.Message, ref) {
			t.Fatalf("%q: envelope %+v, encoding/json %+v", line, got.Message, ref)
		}
		if ref.Method != "probe" {
			if got.Decoded != nil || got.DecodedErr != nil {
				t.Fatalf("%q: decoded %+v (%v) without probe params", line, got.Decoded, got.DecodedErr)
			}
			return
		}
		// The params as encoding/json decodes them when it knows their type up front.
		var typed struct {
			Params *probeParams `json:"params"`
		}
		typedErr := json.Unmarshal(line, &typed)
		if (got.DecodedErr == nil) != (typedErr == nil) {
			t.Fatalf("%q: params error %v, encoding/json %v", line, got.DecodedErr, typedErr)
		}
		if typedErr != nil {
			return
		}
		if typed.Params == nil {
			if got.Decoded != nil {
				t.Fatalf("%q: decoded %#v from absent params", line, got.Decoded)
			}
			return
		}
		if !reflect.DeepEqual(got.Decoded, typed.Params) {
			t.Fatalf("%q: params %#v, encoding/json %#v", line, got.Decoded, typed.Params)
		}
	})
}

// decodeInTwoSteps decodes an envelope as the transport did before DecodeFrame, params kept
// raw; a null id or null params count as none.
func decodeInTwoSteps(line []byte) (Message, error) {
	var m Message
	if trimmed := bytes.TrimLeft(line, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' && json.Valid(line) {
		return m, ErrNotObject
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return Message{}, err
	}
	if string(m.ID) == "null" {
		m.ID = nil
	}
	m.Params = nil
	return m, nil
}

// BenchmarkDecodeItemCompleted decodes a realistic item/completed notification into the
// params type an adapter reads, once in one pass and once in two (envelope, then params).
func BenchmarkDecodeItemCompleted(b *testing.B) {
	line := []byte(`{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_7","command":"/bin/bash -lc 'go test ./pkg7/...'","cwd":"/srv/workspaces/ENG-1","processId":"4242","source":"unifiedExecStartup","status":"completed","commandActions":[{"type":"unknown","command":"/bin/bash -lc 'go test ./pkg7/...'"}],"aggregatedOutput":"` +
		strings.Repeat(`ok  \tgithub.com/example/pkg7\t0.007s\n`, 12) + `","exitCode":0,"durationMs":1207},"threadId":"thr","turnId":"turn"},"emittedAtMs":1795653613431}`)
	type item struct {
		Item struct {
			Type, Status, Command, Cwd, AggregatedOutput string
			ExitCode                                     *int
		}
		TurnID string
	}
	itemFor := func(string) any { return new(*item) }
	b.Run("one-pass", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := DecodeFrame(line, itemFor); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("two-pass", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var m Message
			if err := json.Unmarshal(line, &m); err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(m.Params, new(item)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
