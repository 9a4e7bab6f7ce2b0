package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeMessage(t *testing.T) {
	cases := []struct {
		line    string
		want    Message
		kind    string
		wantErr string
	}{
		{line: `{"id":1,"result":{"a":[1,2]}}`, want: Message{ID: json.RawMessage(`1`), Result: json.RawMessage(`{"a":[1,2]}`)}, kind: "response"},
		{line: ` { "id" : "x", "method" : "item/tool/call", "params" : {} } `, want: Message{ID: json.RawMessage(`"x"`), Method: "item/tool/call", Params: json.RawMessage(`{}`)}, kind: "request"},
		{line: `{"method":"turn/completed","params":{"turn":{"id":"u"}},"emittedAtMs":1}`, want: Message{Method: "turn/completed", Params: json.RawMessage(`{"turn":{"id":"u"}}`)}, kind: "notification"},
		{line: `{"id":null,"method":"n"}`, want: Message{Method: "n"}, kind: "notification"},
		{line: `{"id":7,"error":{"code":-32601,"message":"nope"}}`, want: Message{ID: json.RawMessage(`7`), Error: &RPCError{Code: -32601, Message: "nope"}}, kind: "response"},
		{line: `{"method":"caf\u00e9"}`, want: Message{Method: "café"}, kind: "notification"},
		{line: `{}`, kind: "neither"},
		{line: `[1,2,3]`, wantErr: "not a JSON object"},
		{line: `this is not json`, wantErr: "malformed JSON line"},
		{line: `{"method":5}`, wantErr: "malformed JSON line"},
		{line: `{"id":1} trailing`, wantErr: "malformed JSON line"},
		{line: `{"method":"item/started","params":{`, wantErr: "malformed JSON line"},
	}
	for _, c := range cases {
		got, err := DecodeMessage([]byte(c.line))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.line, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.line, err)
			continue
		}
		if !sameMessage(got, c.want) || kindOf(&got) != c.kind {
			t.Errorf("%s: got %+v (%s), want %+v (%s)", c.line, got, kindOf(&got), c.want, c.kind)
		}
	}
}

func kindOf(m *Message) string {
	switch {
	case m.IsRequest():
		return "request"
	case m.IsResponse():
		return "response"
	case m.IsNotification():
		return "notification"
	}
	return "neither"
}

func compact(r json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, r) != nil {
		return string(r)
	}
	return buf.String()
}

func sameMessage(a, b Message) bool {
	sameErr := (a.Error == nil) == (b.Error == nil) && (a.Error == nil || a.Error.Code == b.Error.Code && a.Error.Message == b.Error.Message)
	return compact(a.ID) == compact(b.ID) && a.Method == b.Method && compact(a.Params) == compact(b.Params) &&
		compact(a.Result) == compact(b.Result) && sameErr
}

// A well-formed message always decodes to what was encoded, whatever its contents.
func FuzzDecodeMessageValid(f *testing.F) {
	f.Add(int64(1), "turn/completed", `{"turn":{"id":"u"}}`, "", int64(0), " ")
	f.Add(int64(-3), "", `[1,"\u2028"]`, "boom \x00 \xff", int64(-32601), "\t\r\n")
	f.Fuzz(func(t *testing.T, id int64, method, params, errMessage string, errCode int64, space string) {
		if !json.Valid([]byte(params)) {
			params = mustJSON(t, params)
		}
		want := Message{ID: json.RawMessage(mustJSON(t, id)), Method: strings.ToValidUTF8(method, "\uFFFD"), Params: json.RawMessage(params)}
		if errMessage != "" {
			want.Error = &RPCError{Code: errCode, Message: strings.ToValidUTF8(errMessage, "\uFFFD")}
		}
		line, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Trim(space, " \t\r\n") == "" {
			line = append(append([]byte(space), line...), space...)
		}
		if compact(want.Params) == "null" {
			want.Params = nil
		}
		got, err := DecodeMessage(line)
		if err != nil {
			t.Fatalf("valid message %s did not decode: %v", line, err)
		}
		if !sameMessage(got, want) {
			t.Fatalf("%s decoded to %+v, want %+v", line, got, want)
		}
	})
}

// Any input decodes or fails without panicking, and only valid JSON ever decodes.
func FuzzDecodeMessageArbitrary(f *testing.F) {
	for _, seed := range []string{`{"id":1,"result":{}}`, `{"method":"x","params":[`, `[1]`, `{"id":1} x`, "\xff", `{"error":{"code":"x"}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := DecodeMessage(line)
		valid := json.Valid(line)
		if err == nil && !valid {
			t.Fatalf("invalid JSON %q decoded to %+v", line, m)
		}
		if err != nil && valid && errors.Is(err, ErrNotObject) {
			if trimmed := bytes.TrimLeft(line, " \t\r\n"); trimmed[0] == '{' {
				t.Fatalf("object %q reported as not an object", line)
			}
		}
		var generic map[string]json.RawMessage
		if err != nil && valid && json.Unmarshal(line, &generic) == nil && fieldsFit(generic) {
			t.Fatalf("well-typed object %q did not decode: %v", line, err)
		}
	})
}

// fieldsFit reports whether an object's members have the types Message declares; like
// encoding/json it matches member names without regard to case.
func fieldsFit(obj map[string]json.RawMessage) bool {
	for key, v := range obj {
		var method string
		var e *RPCError
		switch {
		case strings.EqualFold(key, "method") && json.Unmarshal(v, &method) != nil:
			return false
		case strings.EqualFold(key, "error") && json.Unmarshal(v, &e) != nil:
			return false
		}
	}
	return true
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
