package codex

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/symphony-go/symphony/internal/agent"
)

// itemCompletedLine is an item/completed notification whose aggregatedOutput is raw JSON.
func itemCompletedLine(raw string) []byte {
	return []byte(`{"method":"item/completed","params":{"turnId":"t","item":{"type":"commandExecution","status":"completed","aggregatedOutput":` + raw + `}}}`)
}

// checkOutputPreview compares what the adapter keeps of aggregatedOutput with the preview of
// the whole output as encoding/json decodes it: the same preview, or the same kind of failure.
func checkOutputPreview(t *testing.T, raw string) {
	line := itemCompletedLine(raw)
	var want struct {
		Params struct {
			Item struct {
				AggregatedOutput string `json:"aggregatedOutput"`
			} `json:"item"`
		} `json:"params"`
	}
	wantErr := json.Unmarshal(line, &want)
	_, syntaxErr := wantErr.(*json.SyntaxError)
	f, err := decodeFrame(line)
	switch {
	case syntaxErr || !json.Valid(line):
		if err == nil {
			t.Fatalf("%q: decoded although encoding/json finds it malformed (%v)", raw, wantErr)
		}
		return
	case err != nil:
		t.Fatalf("%q: %v, where encoding/json decodes it (%v)", raw, err, wantErr)
	case wantErr != nil:
		if f.DecodedErr == nil {
			t.Fatalf("%q: params decoded although encoding/json reports %v", raw, wantErr)
		}
		return
	case f.DecodedErr != nil:
		t.Fatalf("%q: params not decoded (%v) where encoding/json decodes them", raw, f.DecodedErr)
	}
	p, perr := paramsOf[itemCompletedParams](&f)
	if perr != nil {
		t.Fatalf("%q: %v", raw, perr)
	}
	if got, want := string(p.Item.AggregatedOutput), agent.OutputPreview(want.Params.Item.AggregatedOutput); got != want {
		t.Fatalf("%q: preview %q, want %q", raw, got, want)
	}
}

// A command's output is kept as its preview, exactly what cutting the whole decoded output
// gives, whatever its length, escapes or invalid bytes, and a value that is not a string
// fails as a string field does.
func TestOutputPreviewIsThePreviewOfTheWholeOutput(t *testing.T) {
	long := strings.Repeat("ok  \tgithub.com/example/pkg\t0.01s\n", 200)
	quoted, _ := json.Marshal(long)
	wide, _ := json.Marshal(strings.Repeat("日本語🙂", 400))
	for _, raw := range []string{
		`"short output"`, `""`, `null`, string(quoted), string(wide),
		`"` + strings.Repeat(`\u00e9\n`, 600) + `"`,
		`"` + strings.Repeat("a", 499) + `\ud83d\ude00tail"`,
		// Long enough for only the start to be read, with a pair or a bad byte at the cut.
		`"` + strings.Repeat("a", 499) + `\ud83d\ude00` + strings.Repeat("b", 3000) + `"`,
		`"` + strings.Repeat("é", 500) + "\xff" + strings.Repeat(`\n`, 3000) + `"`,
		`"bad \xff byte"`, `"lone \ud800 surrogate"`,
		`5`, `{"a":1}`, `["x"]`, `true`,
		`"unterminated`, `"bad \q escape"`,
	} {
		checkOutputPreview(t, raw)
	}
}

func FuzzOutputPreview(f *testing.F) {
	for _, seed := range []string{`"x"`, `null`, `"` + strings.Repeat(`\t`, 700) + `"`, `"\ud800"`, `1`} {
		f.Add(seed)
	}
	f.Fuzz(checkOutputPreview)
}

// Outputs of every length around the preview's cut, whatever rune falls there (an escape, a
// surrogate pair, invalid UTF-8), are kept as the preview of the whole output unquoted, which
// is what the adapter kept before it unquoted only the start of the output.
func FuzzOutputPreviewAroundTheCut(f *testing.F) {
	for _, unit := range []string{"a", `\n`, "é", "日本", `\ud83d\ude00`, `\ud800`, "\xff", "\xe2\x82", `ok\t`} {
		for _, tail := range []string{"", "x", `\ud83d\ude00`, "\xc3"} {
			f.Add(unit, uint16(agent.ActivityOutputPreviewRunes), tail)
			f.Add(unit, uint16(5*agent.ActivityOutputPreviewRunes), tail)
		}
	}
	f.Fuzz(func(t *testing.T, unit string, repeat uint16, tail string) {
		raw := `"` + strings.Repeat(unit, int(repeat%(12*agent.ActivityOutputPreviewRunes))) + tail + `"`
		checkOutputPreview(t, raw)
		f, err := decodeFrame(itemCompletedLine(raw))
		if err != nil || f.DecodedErr != nil {
			return
		}
		whole, _ := jsontext.AppendUnquote(nil, raw)
		p, _ := paramsOf[itemCompletedParams](&f)
		if got, want := string(p.Item.AggregatedOutput), agent.OutputPreviewOf(whole); got != want {
			t.Fatalf("%.80q (%d bytes): preview %.80q, want %.80q", raw, len(raw), got, want)
		}
	})
}
