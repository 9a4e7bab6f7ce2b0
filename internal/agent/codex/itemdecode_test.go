package codex

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
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

// checkItemCompleted holds the item/completed params decoded from line to what encoding/json
// makes of them (see checkParamsMatchEncodingJSON).
func checkItemCompleted(t *testing.T, line []byte) {
	t.Helper()
	checkParamsMatchEncodingJSON(t, line, "item/completed", (*plainItemCompleted).adapterView)
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
	checkEveryFieldDecoded(t, itemCompletedFields,
		func(m string) string { return `{"method":"item/completed","params":{` + m + `}}` },
		func(p *itemCompletedParams) any { return p })
	checkEveryFieldDecoded(t, completedItemFields,
		func(m string) string { return `{"method":"item/completed","params":{"item":{` + m + `}}}` },
		func(p *itemCompletedParams) any { return &p.Item })
}
