package audit

import (
	"reflect"
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

// Scrubbing shares the parts of the details redaction leaves as they were, copies the parts it
// changes, and never writes into the caller's maps or slices, which the caller still owns.
func TestScrubSharesCleanDetailsAndLeavesTheCallersIntact(t *testing.T) {
	red := secretscan.New("configured-secret-value")
	clean := map[string]any{"tool": "git", "n": 3}
	dirtyList := []any{"ok", "configured-secret-value", int64(2)}
	dirty := map[string]any{"args": map[string]any{"token": "x configured-secret-value"}, "list": dirtyList, "clean": clean}
	out, ok := scrubPlain(dirty, red)
	if !ok {
		t.Fatal("plain details took the round trip")
	}
	if got := dirty["args"].(map[string]any)["token"]; got != "x configured-secret-value" {
		t.Fatalf("the caller's nested map was rewritten: %q", got)
	}
	if dirtyList[1] != "configured-secret-value" {
		t.Fatalf("the caller's slice was rewritten: %q", dirtyList[1])
	}
	if got := out["args"].(map[string]any)["token"]; got != "x [REDACTED:configured_secret]" {
		t.Fatalf("nested value stored as %q", got)
	}
	if got := out["list"].([]any)[1]; got != "[REDACTED:configured_secret]" {
		t.Fatalf("slice element stored as %q", got)
	}
	if reflect.ValueOf(out["clean"]).UnsafePointer() != reflect.ValueOf(clean).UnsafePointer() {
		t.Error("a map redaction left unchanged was copied")
	}
	same, _ := scrubPlain(clean, red)
	if reflect.ValueOf(same).UnsafePointer() != reflect.ValueOf(clean).UnsafePointer() {
		t.Error("clean details were copied")
	}
}
