package mcpserver

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzHandle feeds arbitrary frames to the method layer: it must never panic, and every
// reply it produces must encode as a JSON-RPC response with an id.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t_echo","arguments":{"x":"y"}}}`,
		`{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":5}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"id":3,"method":`, `[]`, `null`, `{"jsonrpc":"2.0","id":1,"result":{}}`,
	} {
		f.Add([]byte(seed))
	}
	m := &methods{registry: &fakeRegistry{}, version: "test"}
	f.Fuzz(func(t *testing.T, frame []byte) {
		resp, reply, _ := m.handle(context.Background(), frame)
		if !reply {
			return
		}
		b, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("reply to %q does not encode: %v", frame, err)
		}
		var back map[string]json.RawMessage
		if err := json.Unmarshal(b, &back); err != nil || back["id"] == nil || string(back["jsonrpc"]) != `"2.0"` {
			t.Fatalf("reply %s to %q is not a JSON-RPC response", b, frame)
		}
	})
}
