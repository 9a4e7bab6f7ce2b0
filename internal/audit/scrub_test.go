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

func TestExcerptIsRedactedBeforeItIsCut(t *testing.T) {
	red := secretscan.New("configured-secret-value")
	cases := []struct {
		name string
		ex   Excerpt
		want string
	}{
		// Cut first, the head would keep "configured-se", a fragment no scanner recognises.
		{"secret across the head cut", Excerpt{Text: "abc configured-secret-value tail", Max: 17}, "abc [REDACTED:con"},
		{"secret across the tail cut", Excerpt{Text: "head configured-secret-value xyz", Max: 12, FromEnd: true}, "_secret] xyz"},
		{"head never splits a rune", Excerpt{Text: "aé", Max: 2}, "a"},
		{"tail never splits a rune", Excerpt{Text: "éa", Max: 2, FromEnd: true}, "a"},
		{"short text kept whole", Excerpt{Text: "short", Max: 64}, "short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := scrubDetails(map[string]any{"x": c.ex}, red)
			if err != nil {
				t.Fatal(err)
			}
			if out["x"] != c.want {
				t.Fatalf("stored %q, want %q", out["x"], c.want)
			}
		})
	}
	if _, err := scrubDetails(map[string]any{"x": Excerpt{Text: "t", Max: 1}, "ratio": 0.5}, red); err == nil {
		t.Fatal("an Excerpt beside a float was stored through the JSON round trip")
	}
}
