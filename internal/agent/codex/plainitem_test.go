package codex

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// Every item/completed of a realistic turn takes the plain decoder, and decodes to what
// encoding/json makes of it.
func TestFloodItemsDecodePlain(t *testing.T) {
	var block bytes.Buffer
	if err := codextest.WriteFlood(&block, 1, "thr", "turn"); err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range bytes.Lines(block.Bytes()) {
		var frame struct {
			Method string
			Params json.RawMessage
		}
		if err := json.Unmarshal(line, &frame); err != nil {
			t.Fatal(err)
		}
		if frame.Method != "item/completed" {
			continue
		}
		n++
		var plain, want itemCompletedParams
		if !plain.DecodePlain(frame.Params) {
			t.Fatalf("plain decoder declined %s", frame.Params)
		}
		if err := json.Unmarshal(frame.Params, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain, want) {
			t.Fatalf("plain %+v, encoding/json %+v", plain, want)
		}
		f, err := decodeFrame(bytes.TrimSpace(line))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := f.Decoded.(*itemCompletedParams); !ok || !reflect.DeepEqual(*got, want) {
			t.Fatalf("frame decoded %#v, want %+v", f.Decoded, want)
		}
	}
	if n == 0 {
		t.Fatal("the flood has no item/completed")
	}
}

// Whatever the params, the plain decoder either declines, leaving them to the JSON engine,
// or decodes exactly what encoding/json decodes.
func FuzzItemCompletedDecodesAsEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"item":{"type":"commandExecution","command":"ls","cwd":"/w","status":"completed","aggregatedOutput":"a\tb\n\u00e9","exitCode":0,"durationMs":3},"turnId":"t","threadId":"x"}`,
		`{"item":{"type":"agentMessage","text":"hi","TEXT":"again"}}`, `{"item":null,"turnId":null}`, `{"item":{"exitCode":1.5}}`,
		`{"item":{"exitCode":-0,"success":false,"tool":"t","status":null}}`, `{"item":{"changes":[{"path":"a"}]}}`,
		`{"item":{"type":"\ud800"}}`, "{\"item\":{\"text\":\"\xff\"}}", `{"Item":{"Type":"x"},"TurnID":"u"}`, `[]`, `{"item":"x"}`,
		`{"item":{"exitCode":99999999999999999999}}`, `{"item":{"exitCode":"0"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, params []byte) {
		if !json.Valid(params) || string(bytes.TrimSpace(params)) == "null" {
			return
		}
		params = bytes.TrimSpace(params)
		var plain itemCompletedParams
		if !plain.DecodePlain(params) {
			if !reflect.DeepEqual(plain, itemCompletedParams{}) {
				t.Fatalf("%s: declined but changed the params to %+v", params, plain)
			}
			return
		}
		var want itemCompletedParams
		if err := json.Unmarshal(params, &want); err != nil {
			t.Fatalf("%s: plain decoded %+v where encoding/json fails: %v", params, plain, err)
		}
		if !reflect.DeepEqual(plain, want) {
			t.Fatalf("%s: plain %+v, encoding/json %+v", params, plain, want)
		}
	})
}

var _ jsonl.PlainDecoder = (*itemCompletedParams)(nil)
