package agent

import (
	"bytes"
	"strings"
	"testing"
)

func TestOutputPreview(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"short", "ok\n", "ok\n"},
		{"exactly the limit", strings.Repeat("é", ActivityOutputPreviewRunes), strings.Repeat("é", ActivityOutputPreviewRunes)},
		{"one rune over", strings.Repeat("é", ActivityOutputPreviewRunes+1), strings.Repeat("é", ActivityOutputPreviewRunes) + "…"},
		{"ascii over", strings.Repeat("x", 3*ActivityOutputPreviewRunes), strings.Repeat("x", ActivityOutputPreviewRunes) + "…"},
		{"invalid UTF-8 counts a rune a byte", strings.Repeat("\xff", ActivityOutputPreviewRunes+1), strings.Repeat("\xff", ActivityOutputPreviewRunes) + "…"},
	}
	for _, c := range cases {
		if got := OutputPreview(c.in); got != c.want {
			t.Errorf("%s: got %d runes, want %d", c.name, len([]rune(got)), len([]rune(c.want)))
		}
		if got := OutputPreviewOf([]byte(c.in)); got != c.want {
			t.Errorf("%s, from bytes: got %d runes, want %d", c.name, len([]rune(got)), len([]rune(c.want)))
		}
	}
}

// TestOutputPreviewOfCopiesOnlyThePreview holds the reason OutputPreviewOf exists: a long
// output in a reused buffer costs one allocation, the preview's.
func TestOutputPreviewOfCopiesOnlyThePreview(t *testing.T) {
	output := []byte(strings.Repeat("ok  \tgithub.com/example/pkg\t0.042s\n", 200))
	var preview string
	allocs := testing.AllocsPerRun(100, func() { preview = OutputPreviewOf(output) })
	if allocs != 1 {
		t.Errorf("OutputPreviewOf made %v allocations, want 1", allocs)
	}
	if want := ActivityOutputPreviewRunes + len("…"); len(preview) != want {
		t.Errorf("preview is %d bytes, want %d", len(preview), want)
	}
}

// FuzzOutputPreviewOf holds the two previews to one answer for any bytes, invalid UTF-8
// included.
func FuzzOutputPreviewOf(f *testing.F) {
	f.Add([]byte("ok\n"), 0)
	f.Add([]byte("é\xe2\x82"), ActivityOutputPreviewRunes)
	f.Fuzz(func(t *testing.T, chunk []byte, repeat int) {
		output := bytes.Repeat(chunk, 1+min(max(repeat, 0), 2*ActivityOutputPreviewRunes))
		if got, want := OutputPreviewOf(output), OutputPreview(string(output)); got != want {
			t.Errorf("OutputPreviewOf(%q) = %q, OutputPreview = %q", output, got, want)
		}
	})
}
