package codex

import "testing"

// The compact reader of an item's type and status agrees with the general member reader on
// every item it accepts, and leaves the shapes it does not know to it.
func FuzzCompactTypeAndStatus(f *testing.F) {
	for _, seed := range []string{
		`{"type":"commandExecution","id":"c","command":"make","cwd":"/ws","processId":null,"status":"completed","commandActions":[]}`,
		`{"type":"agentMessage","id":"m","text":"done"}`,
		`{"type":"fileChange","id":"f","changes":[{"path":"a"}],"status":"completed"}`,
		`{"type":"x","n":-1.5e3,"ok":true,"status":"failed"}`,
		`{"type":"a\"b","status":"s"}`, `{"type":"t","type":"u","status":"s"}`, `{"type":1,"type":"u","status":"s"}`, `{"status":"s","type":"t"}`, `{"type":"t"`, `{}`, `{"type" :"t"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, item []byte) {
		typ, status, ok := compactTypeAndStatus(item)
		if !ok {
			return
		}
		var head [2][]byte
		pick(item, head[:], "type", "status")
		if want := stringValue(head[0]); typ != want {
			t.Fatalf("type %q, pick says %q", typ, want)
		}
		if want := stringValue(head[1]); status != want {
			t.Fatalf("status %q, pick says %q", status, want)
		}
	})
}

func TestCompactTypeAndStatus(t *testing.T) {
	cases := []struct {
		item, typ, status string
		ok                bool
	}{
		{`{"type":"commandExecution","id":"c","command":"go test ./...","cwd":"/ws","processId":"42","source":"agent","status":"failed","commandActions":[{"type":"unknown"}]}`, "commandExecution", "failed", true},
		{`{"type":"agentMessage","id":"m","text":"done"},"threadId":"t"}`, "agentMessage", "", true},
		{`{"type":"fileChange","id":"f","changes":[],"status":"completed"}`, "", "", false},
		{`{"type":"commandExecution","command":"echo \"hi\"","status":"completed"}`, "", "", false},
		{`{ "type": "x", "status": "y" }`, "", "", false},
	}
	for _, c := range cases {
		typ, status, ok := compactTypeAndStatus([]byte(c.item))
		if ok != c.ok || ok && (typ != c.typ || status != c.status) {
			t.Errorf("%s: got %q %q %v", c.item, typ, status, ok)
		}
	}
}
