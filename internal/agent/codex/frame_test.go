package codex

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeFrame(t *testing.T) {
	cases := []struct {
		name    string
		line    string
		want    frame
		wantErr string
	}{
		{name: "request", line: `{"id":7,"method":"item/tool/call","params":{"tool":"x","arguments":{"a":[1,{"b":"}"}]}}}`,
			want: frame{ID: json.RawMessage("7"), Method: "item/tool/call", Params: json.RawMessage(`{"tool":"x","arguments":{"a":[1,{"b":"}"}]}}`)}},
		{name: "response with string id and spaces", line: ` { "id" : "abc" , "result" : { } } `,
			want: frame{ID: json.RawMessage(`"abc"`), Result: json.RawMessage(`{ }`)}},
		{name: "notification with escaped quotes", line: `{"method":"warning","params":{"message":"say \"hi\" \\"}}`,
			want: frame{Method: "warning", Params: json.RawMessage(`{"message":"say \"hi\" \\"}`)}},
		{name: "error response", line: `{"id":1,"error":{"code":-32600,"message":"bad"}}`,
			want: frame{ID: json.RawMessage("1"), Error: json.RawMessage(`{"code":-32600,"message":"bad"}`)}},
		{name: "null id is no id", line: `{"id":null,"method":"m"}`, want: frame{Method: "m"}},
		{name: "unknown members are skipped", line: `{"jsonrpc":"2.0","emittedAtMs":1795653613431,"method":"m","x":[true,false,null]}`, want: frame{Method: "m"}},
		{name: "empty object", line: `{}`, want: frame{}},
		{name: "not an object", line: `[1,2]`, wantErr: "not a JSON object"},
		{name: "plain text", line: `hello`, wantErr: "not a JSON object"},
		{name: "truncated", line: `{"method":"item/started","params":{`, wantErr: "unterminated"},
		{name: "mismatched brackets", line: `{"params":{"a":[1}}`, wantErr: "mismatched"},
		{name: "method not a string", line: `{"method":5}`, wantErr: "method is not a string"},
		{name: "trailing garbage", line: `{"id":1} x`, wantErr: "after the frame"},
		{name: "missing colon", line: `{"id" 1}`, wantErr: "expected ':'"},
		{name: "unterminated string", line: `{"method":"abc`, wantErr: "unterminated string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeFrame([]byte(c.line))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.ID, c.want.ID) || got.Method != c.want.Method || !bytes.Equal(got.Params, c.want.Params) ||
				!bytes.Equal(got.Result, c.want.Result) || !bytes.Equal(got.Error, c.want.Error) {
				t.Fatalf("decodeFrame = %+v, want %+v", got, c.want)
			}
		})
	}
}

// FuzzDecodeFrame checks that the fast decoder never panics, and that whenever it accepts a
// line that encoding/json also accepts as an object, both agree on the members the adapter
// reads.
func FuzzDecodeFrame(f *testing.F) {
	for _, seed := range []string{
		`{"id":1,"result":{"thread":{"id":"t"}}}`,
		`{"method":"turn/completed","params":{"turn":{"id":"u","status":"completed"}}}`,
		`{"id":"x","method":"item/tool/call","params":{"arguments":{"q":"\"}\\"}}}`,
		`{"method":"item/started","params":{`,
		`[{"id":1}]`, `{"id":1}}`, `{"a":"\\\""}`, `{"id":-1.5e+3,"error":{}}`, ``, `{`, `"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := decodeFrame(line)
		if err != nil {
			return
		}
		// A map keeps member names exact; JSON-RPC names are case-sensitive, unlike the
		// field matching of encoding/json structs.
		var ref map[string]json.RawMessage
		if json.Unmarshal(line, &ref) != nil || !json.Valid(line) {
			return
		}
		if raw, ok := ref["method"]; ok {
			var m string
			if json.Unmarshal(raw, &m) == nil && m != got.Method {
				t.Fatalf("method %q, encoding/json says %q", got.Method, m)
			}
		}
		// The notification fast path may absorb object-valued members that follow params
		// into the forwarded params bytes (see decodeNotification); nothing else may differ.
		if p := bytes.TrimSpace(ref["params"]); len(p) > 0 && !bytes.Equal(p, got.Params) {
			rest, absorbed := bytes.CutPrefix(got.Params, p)
			if !absorbed || !bytes.HasPrefix(bytes.TrimSpace(rest), []byte(",")) {
				t.Fatalf("params %q, encoding/json says %q", got.Params, p)
			}
		}
	})
}

func TestMembersAndValueTail(t *testing.T) {
	obj := []byte(`{"threadId":"t","item":{"type":"commandExecution","status":"failed","command":"make \"x\"","aggregatedOutput":"` + strings.Repeat("o", 1000) + `"},"turnId":"u"}`)
	tail := valueTail(obj, "item")
	m := members(tail, "type", "status", "command", "missing")
	if stringValue(m[0]) != "commandExecution" || stringValue(m[1]) != "failed" || stringValue(m[2]) != `make "x"` || m[3] != nil {
		t.Fatalf("members of the item tail = %q", m)
	}
	if got := stringValue(members(obj, "turnId")[0]); got != "u" {
		t.Fatalf("turnId = %q", got)
	}
	for _, bad := range []string{`[]`, `{"item"`, `{"a":1 "item":{}}`, `{"a":}`} {
		if valueTail([]byte(bad), "item") != nil {
			t.Errorf("valueTail(%s) found a value", bad)
		}
	}
	if valueTail(obj, "absent") != nil || stringValue([]byte(`12`)) != "" {
		t.Error("absent member or non-string value was read")
	}
}

// The notification fast path agrees with the strict decode on every frame it accepts, and
// leaves requests, responses and unusual shapes to the strict path.
func TestNotificationFastPath(t *testing.T) {
	cases := []struct {
		line   string
		fast   bool
		method string
		params string
	}{
		{`{"method":"item/started","params":{"item":{"type":"x"}},"emittedAtMs":17}`, true, "item/started", `{"item":{"type":"x"}}`},
		{`{"method":"item/completed","params":{"item":{"id":"u"}}}`, true, "item/completed", `{"item":{"id":"u"}}`},
		{`{"method":"turn/completed","params":{"turn":{"id":"u"}}}`, false, "", ""},
		{` { "method" : "a/b" , "params" : { } , "x" : "plain" , "n" : null } `, true, "a/b", `{ }`},
		{`{"method":"item/tool/call","params":{"a":1},"id":7}`, false, "", ""},
		{`{"id":7,"method":"item/tool/call","params":{}}`, false, "", ""},
		{`{"method":"m","params":{},"s":"esc\"aped"}`, false, "", ""},
		{`{"method":"m","params":{},"o":{"nested":1}}`, true, "m", `{},"o":{"nested":1}`},
		{`{"method":"m","params":[1]}`, false, "", ""},
		{`{"method":"m","params":{}`, false, "", ""},
		{`{"method":"m","params":{"a":"}"},"emittedAtMs":1795653613431}`, true, "m", `{"a":"}"}`},
		{`{"method":"m","params":{},"emittedAtMs":1,"id":3}`, false, "", ""},
		{`{"method":"m","params":{},"id":3,"emittedAtMs":1}`, false, "", ""},
		{`{"method":"m","params":{},"emittedAtMs":}`, false, "", ""},
	}
	for _, c := range cases {
		f, ok := decodeNotification([]byte(c.line))
		if ok != c.fast || ok && (f.Method != c.method || string(f.Params) != c.params) {
			t.Errorf("%s: fast=%v method=%q params=%q", c.line, ok, f.Method, f.Params)
		}
	}
}
