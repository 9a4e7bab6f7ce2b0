package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// plainItemCompleted is itemCompletedParams with plain types only, for encoding/json to decode
// by reflection as the reference the adapter's own decoding must match.
type plainItemCompleted struct {
	TurnID string `json:"turnId"`
	Item   struct {
		Type             string          `json:"type"`
		Status           string          `json:"status"`
		Text             string          `json:"text"`
		Command          string          `json:"command"`
		Cwd              string          `json:"cwd"`
		AggregatedOutput string          `json:"aggregatedOutput"`
		ExitCode         *int            `json:"exitCode"`
		Tool             string          `json:"tool"`
		Arguments        json.RawMessage `json:"arguments"`
		Success          *bool           `json:"success"`
		Changes          []struct {
			Path string `json:"path"`
		} `json:"changes"`
	} `json:"item"`
}

// adapterView is what the adapter keeps of params encoding/json decoded: the output cut to its
// preview.
func (p *plainItemCompleted) adapterView() *itemCompletedParams {
	it := p.Item
	out := &itemCompletedParams{TurnID: p.TurnID, Item: completedItem{
		Type: it.Type, Status: it.Status, Text: it.Text, Command: it.Command, Cwd: it.Cwd,
		AggregatedOutput: outputPreview(agent.OutputPreview(it.AggregatedOutput)),
		ExitCode:         it.ExitCode, Tool: it.Tool, Arguments: it.Arguments, Success: it.Success,
	}}
	if it.Changes != nil {
		out.Item.Changes = make([]fileChange, len(it.Changes))
		for i, c := range it.Changes {
			out.Item.Changes[i] = fileChange{Path: c.Path}
		}
	}
	return out
}

// checkItemCompleted decodes line as the reader goroutine does and holds the item/completed
// params it finds to what encoding/json makes of the same line: the same failure of the line,
// the same params error or none, and equal params.
func checkItemCompleted(t *testing.T, line []byte) {
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
	if got.Method != "item/completed" {
		if _, ok := got.Decoded.(*itemCompletedParams); ok {
			t.Fatalf("%q: item/completed params decoded for method %q", line, got.Method)
		}
		return
	}
	var want struct {
		Params *plainItemCompleted `json:"params"`
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
	if !reflect.DeepEqual(got.Decoded, want.Params.adapterView()) {
		t.Fatalf("%q:\n got %#v\nwant %#v", line, got.Decoded, want.Params.adapterView())
	}
}

// itemCompletedSeeds are item/completed lines of every shape the adapter reads, as Codex
// writes them, and lines probing encoding/json's rules.
func itemCompletedSeeds(t testing.TB) []string {
	var flood bytes.Buffer
	if err := codexfake.WriteFlood(&flood, 1, "thr", "turn"); err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for line := range strings.Lines(flood.String()) {
		if strings.Contains(line, `"item/completed"`) && len(seeds) < 3 {
			seeds = append(seeds, strings.TrimSuffix(line, "\n"))
		}
	}
	item := func(members string) string {
		return `{"method":"item/completed","params":{"threadId":"thr","turnId":"turn","completedAtMs":1,"item":{` + members + `}}}`
	}
	return append(seeds,
		item(`"type":"agentMessage","id":"msg_1","text":"All tests pass.","phase":null,"memoryCitation":null`),
		item(`"type":"fileChange","id":"f1","status":"completed","changes":[{"path":"/ws/a.go","kind":{"type":"update","move_path":null},"diff":"@@ -1 +1 @@\n-a\n+b\n"},{"path":"/ws/b.go","kind":{"type":"add"},"diff":""}]`),
		item(`"type":"mcpToolCall","id":"m1","server":"symphony","tool":"linear_graphql","status":"failed","arguments":{"query":"{ viewer { id } }"},"result":null,"error":{"message":"denied"},"durationMs":12`),
		item(`"type":"dynamicToolCall","id":"d1","tool":"echo","arguments":{"text":"hi"},"status":"completed","contentItems":[{"type":"inputText","text":"hi"}],"success":false`),
		item(`"type":"commandExecution","id":"c1","command":"make","cwd":"/ws","status":"declined","commandActions":[],"aggregatedOutput":null,"exitCode":null,"durationMs":null`),
		item(`"type":"reasoning","id":"r1","summary":["thinking"],"content":[]`),
		// Duplicates: the last wins, objects and arrays merge.
		item(`"type":"a","type":"commandExecution","exitCode":1,"exitCode":2,"changes":[{"path":"x"},{"path":"y"}],"changes":[{}]`),
		`{"method":"item/completed","params":{"item":{"text":"a"},"item":{"status":"b"}},"params":{"turnId":"t"}}`,
		`{"method":"item/completed","params":{"item":{"changes":[{"path":"a"},{"path":"b"},{"path":"c"}]}},"params":{"item":{"changes":[{}]}},"params":{"item":{"changes":[{},{},{}]}}}`,
		// Names matched without regard to case, the exact one first.
		item(`"TYPE":"x","Type":"y","ſtatus":"completed","KEY":1,"exitcode":3,"Text":"a","text":"b"`),
		item(`"aggregatedoutput":"x","AGGREGATEDOUTPUT":null,"arguMents":[1, 2 ,{"a" : null}]`),
		// Nulls.
		item(`"text":"kept","text":null,"exitCode":1,"exitCode":null,"success":true,"success":null,"changes":[{"path":"p"}],"changes":null,"arguments":null`),
		`{"method":"item/completed","params":null}`,
		`{"method":"item/completed","params":{"item":null,"turnId":null}}`,
		`{"params":{"item":{"type":"agentMessage"}},"method":"item/completed"}`,
		// Values of the wrong type, alone and before a syntax error.
		item(`"exitCode":"0"`), item(`"exitCode":1.0`), item(`"exitCode":1e3`), item(`"exitCode":-0`),
		item(`"exitCode":99999999999999999999`), item(`"success":"true"`), item(`"text":7`),
		item(`"aggregatedOutput":{"a":[1]},"text":"after"`), item(`"changes":{}`), item(`"changes":[{"path":"p"}],"changes":[]`), item(`"changes":[1,{"path":2},"x",null]`),
		`{"method":"item/completed","params":{"item":[]}}`, `{"method":"item/completed","params":"x"}`,
		item(`"text":7,"command":"x"`)+`x`, item(`"exitCode":"0",]`),
		// Escapes, NUL and invalid UTF-8.
		item(`"text":"\u0000 \ud800 \ud83d\ude00 \"q\"","aggregatedOutput":"bad `+"\xff\xfe"+` byte","cwd":"`+"\xc3"+`"`),
		item(`"t\u0065xt":"escaped name","\u0074ype":"x","comm`+"\xff"+`and":"y","`+"\xff"+`":"z"`),
		item(`"aggregatedOutput":"`+strings.Repeat(`\u00e9\n`, 600)+`"`),
	)
}

func TestItemCompletedMatchesEncodingJSON(t *testing.T) {
	for _, seed := range itemCompletedSeeds(t) {
		checkItemCompleted(t, []byte(seed))
	}
}

// Any line that holds item/completed params decodes as encoding/json decodes it.
func FuzzItemCompletedMatchesEncodingJSON(f *testing.F) {
	for _, seed := range itemCompletedSeeds(f) {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkItemCompleted)
}

// The library, which decodes the params when they are not a line's (in tests, say), calls the
// same code: the params decode alike both ways.
func TestItemCompletedDecodesAlikeThroughTheLibrary(t *testing.T) {
	params := []byte(`{"turnId":"u","item":{"type":"fileChange","changes":[{"path":"a"}],"aggregatedOutput":"` + strings.Repeat("x", 600) + `"}}`)
	var viaLibrary itemCompletedParams
	if err := jsonv2.Unmarshal(params, &viaLibrary, jsonv1.DefaultOptionsV1()); err != nil {
		t.Fatal(err)
	}
	f, err := decodeFrame([]byte(`{"method":"item/completed","params":` + string(params) + `}`))
	if err != nil || f.DecodedErr != nil {
		t.Fatal(err, f.DecodedErr)
	}
	if !reflect.DeepEqual(f.Decoded, &viaLibrary) {
		t.Fatalf("line decoded to %#v, the library to %#v", f.Decoded, &viaLibrary)
	}
	if n := len([]rune(viaLibrary.Item.AggregatedOutput)); n != agent.ActivityOutputPreviewRunes+1 {
		t.Fatalf("output kept as %d runes, want the preview's %d and an ellipsis", n, agent.ActivityOutputPreviewRunes)
	}
}

// Every field of the params is read: a field added to the types but not to their decoding
// stays zero here.
func TestEveryItemCompletedFieldIsDecoded(t *testing.T) {
	sampleOf := func(ft reflect.Type) string {
		switch {
		case ft.Kind() == reflect.String:
			return `"x"`
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int:
			return `1`
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
			return `true`
		case ft == reflect.TypeFor[json.RawMessage]():
			return `{"a":1}`
		case ft.Kind() == reflect.Slice:
			return `[{}]`
		case ft.Kind() == reflect.Struct:
			return `{"type":"x"}`
		}
		t.Fatalf("no sample value for a field of type %v", ft)
		return ""
	}
	check := func(typ reflect.Type, names []string, line func(member string) string, fieldOf func(*itemCompletedParams) reflect.Value) {
		for i, name := range names {
			l := line(`"` + name + `":` + sampleOf(typ.Field(i).Type))
			f, err := decodeFrame([]byte(l))
			if err != nil || f.DecodedErr != nil {
				t.Fatalf("%s: %v %v", l, err, f.DecodedErr)
			}
			if fieldOf(f.Decoded.(*itemCompletedParams)).Field(i).IsZero() {
				t.Errorf("%s: %s not decoded", l, typ.Field(i).Name)
			}
		}
	}
	check(reflect.TypeFor[itemCompletedParams](), itemCompletedFields,
		func(m string) string { return `{"method":"item/completed","params":{` + m + `}}` },
		func(p *itemCompletedParams) reflect.Value { return reflect.ValueOf(p).Elem() })
	check(reflect.TypeFor[completedItem](), completedItemFields,
		func(m string) string { return `{"method":"item/completed","params":{"item":{` + m + `}}}` },
		func(p *itemCompletedParams) reflect.Value { return reflect.ValueOf(&p.Item).Elem() })
}
