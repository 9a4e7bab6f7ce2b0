package audit

import (
	"testing"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// The walk that skips the JSON round trip must store exactly what the round trip stores, or
// records written one way and verified the other would not hash alike.
func TestScrubPlainMatchesRoundTrip(t *testing.T) {
	red := secretscan.New("configured-secret-value")
	cases := []struct {
		name    string
		details map[string]any
		plain   bool
	}{
		{"command", map[string]any{"command": "make test", "cwd": "/ws", "exit_code": 2, "output_preview": "ok <tag> & \"quoted\"\n"}, true},
		{"secret value and key", map[string]any{"token=configured-secret-value": "Bearer configured-secret-value", "n": int64(-7), "u": uint64(1 << 63)}, true},
		{"paths and nils", map[string]any{"paths": []string{"/a", "/b"}, "none": []string(nil), "empty": map[string]any(nil), "x": nil, "ok": true}, true},
		{"nested", map[string]any{"args": map[string]any{"variables": map[string]any{"id": "ENG-1"}, "list": []any{1, "two", false, nil}}}, true},
		{"float falls back", map[string]any{"ratio": 0.5}, false},
		{"struct falls back", map[string]any{"s": struct{ A int }{3}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plain, ok := scrubPlain(c.details, red)
			if ok != c.plain {
				t.Fatalf("plain walk taken = %v, want %v", ok, c.plain)
			}
			trip, err := scrubRoundTrip(c.details, red)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
			a, err := canonical(&Record{EventType: "x", Details: plain})
			if err != nil {
				t.Fatal(err)
			}
			b, err := canonical(&Record{EventType: "x", Details: trip})
			if err != nil {
				t.Fatal(err)
			}
			if string(a) != string(b) {
				t.Fatalf("plain walk stores\n%s\nround trip stores\n%s", a, b)
			}
		})
	}
}
