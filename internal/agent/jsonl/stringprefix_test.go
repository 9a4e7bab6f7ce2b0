package jsonl

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// checkPrefixText holds the text prefixText gives for the JSON string whose body is body to
// the whole string's text, unquoted by the library, for a string the decoder accepts as the
// line decoder reads it: its first runes runes when the string is long enough to read only
// them, else all of it.
func checkPrefixText(t *testing.T, body []byte, runes int) {
	t.Helper()
	quoted := append(append([]byte{'"'}, body...), '"')
	raw, err := jsontext.NewDecoder(bytes.NewReader(quoted), v1Semantics).ReadValue()
	if err != nil || len(raw) != len(quoted) {
		return
	}
	whole, _ := jsontext.AppendUnquote(nil, raw)
	want := whole
	if n := utf8.RuneCount(whole); runes < n && len(body) > prefixWorthRunes*runes {
		want = []byte(string([]rune(string(whole))[:runes]))
	}
	var r stringReader
	if got := r.prefixText(raw, runes); !bytes.Equal(got, want) {
		t.Fatalf("%.80q (%d bytes), %d runes: text %.80q (%d bytes), want %.80q (%d bytes)", body, len(body), runes, got, len(got), want, len(want))
	}
}

// prefixTextCases are bodies of JSON strings whose every kind of rune falls at the cut: plain
// runes, escapes, surrogate pairs and lone surrogates, invalid UTF-8.
var prefixTextCases = []struct {
	unit, tail string
}{
	{"a", ""}, {"a", `\n`}, {`\t`, "x"}, {"é", ""}, {"日本", "🙂"}, {"x", `\ud83d\ude00`},
	{`\ud83d\ude00`, ""}, {`\uD83D\uDE00`, "a"}, {`\ud800`, `\udc00`}, {`\ud800\ud800`, `\udc00`},
	{`\udc00\ud800`, ""}, {`\ud800\u0041`, ""}, {`\ud800`, "x"}, {`\u00e9\n`, ""}, {"\xff", ""},
	{"a\xc3", ""}, {"\xe2\x82", "\xac"}, {`\"\\\/`, ""},
}

func TestPrefixTextIsTheTextOfTheFirstRunes(t *testing.T) {
	for _, c := range prefixTextCases {
		for _, repeat := range []int{0, 1, 2, 499, 500, 501, 502, 2003, 2004, 2005} {
			body := []byte(strings.Repeat(c.unit, repeat) + c.tail)
			for _, runes := range []int{0, 1, repeat - 1, repeat, repeat + 1, 2*repeat - 1, 2 * repeat, 501} {
				checkPrefixText(t, body, max(runes, 0))
			}
		}
	}
}

// An unquoted prefix never costs an allocation once the buffer has grown, and a prefix with
// no escapes is read in place.
func TestPrefixTextReusesItsBuffer(t *testing.T) {
	plain := jsontext.Value(`"` + strings.Repeat("ok ", 1000) + `"`)
	escaped := jsontext.Value(`"` + strings.Repeat(`ok\t`, 1000) + `"`)
	var r stringReader
	if got := r.prefixText(plain, 501); &got[0] != &plain[1] || len(got) != 501 {
		t.Errorf("plain text was copied, or not cut (%d bytes)", len(got))
	}
	if allocs := testing.AllocsPerRun(10, func() { r.prefixText(escaped, 501) }); allocs != 0 {
		t.Errorf("unquoting a prefix made %v allocations", allocs)
	}
	if got := r.prefixText(escaped, 501); len(got) != 501 {
		t.Errorf("prefix of %d bytes, want 501", len(got))
	}
}

// Any string's prefix unquotes to the start of its whole text.
func FuzzPrefixText(f *testing.F) {
	for _, c := range prefixTextCases {
		f.Add([]byte(c.unit), uint16(500), []byte(c.tail), uint16(501))
		f.Add([]byte(c.unit), uint16(2100), []byte(c.tail), uint16(501))
	}
	f.Fuzz(func(t *testing.T, unit []byte, repeat uint16, tail []byte, runes uint16) {
		body := append(bytes.Repeat(unit, int(repeat%(prefixWorthRunes*1100))), tail...)
		checkPrefixText(t, body, int(runes%1200))
		checkPrefixText(t, body, 501)
	})
}
