package agent

import (
	"bytes"
	"encoding/json"
	"testing"
)

// stringPrefix agrees with encoding/json on every complete string, and a cut keeps exactly
// the first maxRunes runes.
func FuzzStringPrefix(f *testing.F) {
	f.Add([]byte(`"plain"`), 3)
	f.Add([]byte(`"tab\tand\nnewline \u00e9 \ud83d\ude00 \"q\" \\"`), 5)
	f.Add([]byte(`"bad \x escape"`), 10)
	f.Fuzz(func(t *testing.T, raw []byte, maxRunes int) {
		if maxRunes < 0 || maxRunes > 1<<12 {
			return
		}
		got, more := stringPrefix(raw, maxRunes)
		var want string
		if json.Unmarshal(raw, &want) != nil || !json.Valid(raw) {
			return
		}
		if !bytes.Equal(bytes.TrimSpace(raw), raw) {
			return
		}
		wantRunes := []rune(want)
		if len(wantRunes) > maxRunes {
			want = string(wantRunes[:maxRunes])
		}
		if got != want || more != (len(wantRunes) > maxRunes) {
			t.Fatalf("stringPrefix(%q, %d) = %q, %v; want %q", raw, maxRunes, got, more, want)
		}
	})
}

// OutputPreview decodes a raw prefix that may be cut anywhere, even inside an escape.
func TestOutputPreviewFromCutJSON(t *testing.T) {
	long, _ := json.Marshal(string(bytes.Repeat([]byte("line\t\u00e9\n"), 2000)))
	out := OutputPreview(long[:OutputJSONBytes])
	if n := len([]rune(out)); n != ActivityOutputPreviewRunes+1 || out[len(out)-len("…"):] != "…" {
		t.Fatalf("preview of %d runes: %q", n, out)
	}
	if got := OutputPreview([]byte(`"done \"ok\"","exitCode":0}`)); got != `done "ok"` {
		t.Fatalf("short output %q", got)
	}
	if got := OutputPreview([]byte(`"abc\u00`)); got != "abc" {
		t.Fatalf("output cut inside an escape: %q", got)
	}
}
