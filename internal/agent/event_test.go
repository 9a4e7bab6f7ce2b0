package agent

import (
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
	}
	for _, c := range cases {
		if got := OutputPreview(c.in); got != c.want {
			t.Errorf("%s: got %d runes, want %d", c.name, len([]rune(got)), len([]rune(c.want)))
		}
	}
}
