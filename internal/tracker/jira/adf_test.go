package jira

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestADFToText(t *testing.T) {
	cases := []struct{ name, adf, want string }{
		{"null", `null`, ""},
		{"paragraphs and breaks", `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"one"},{"type":"hardBreak"},{"type":"text","text":"two","marks":[{"type":"strong"}]}]},{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Head"}]}]}`, "one\ntwo\n\nHead"},
		{"lists", `{"type":"doc","content":[{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]},{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]},{"type":"orderedList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"c"}]}]}]}]}`, "- a\n- b\n\n1. c"},
		{"code, mention, card", `{"type":"doc","content":[{"type":"codeBlock","content":[{"type":"text","text":"go test"}]},{"type":"paragraph","content":[{"type":"mention","attrs":{"text":"@ann"}},{"type":"text","text":" see "},{"type":"inlineCard","attrs":{"url":"https://x.test"}}]}]}`, "```\ngo test\n```\n\n@ann see https://x.test"},
		{"unknown nodes keep their text", `{"type":"doc","content":[{"type":"panel","content":[{"type":"paragraph","content":[{"type":"text","text":"inside"}]}]}]}`, "inside"},
		{"plain string", `"legacy text"`, "legacy text"},
		{"malformed", `{"type":`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := adfToText(json.RawMessage(tc.adf)); got != tc.want {
				t.Fatalf("adfToText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTextToADFRoundTrips(t *testing.T) {
	for _, text := range []string{"one line", "first\nsecond\n\nnew paragraph", "Ready for review on auto/ENG-1."} {
		raw, err := json.Marshal(textToADF(text))
		if err != nil {
			t.Fatal(err)
		}
		if got := adfToText(raw); got != text {
			t.Errorf("round trip of %q gave %q (%s)", text, got, raw)
		}
	}
}

func TestADFToTextIsBounded(t *testing.T) {
	deep := strings.Repeat(`{"type":"panel","content":[`, 200) + `{"type":"text","text":"bottom"}` + strings.Repeat(`]}`, 200)
	if got := adfToText(json.RawMessage(deep)); strings.Contains(got, "bottom") {
		t.Fatalf("text below the depth limit was rendered")
	}
	long := `{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"` + strings.Repeat("x", 2*maxADFTextBytes) + `"}]}]}`
	if got := adfToText(json.RawMessage(long)); len(got) > maxADFTextBytes {
		t.Fatalf("rendered %d bytes, more than %d", len(got), maxADFTextBytes)
	}
}

func FuzzADFToText(f *testing.F) {
	f.Add(`{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"x"}]}]}`)
	f.Add(`{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"mention","attrs":{"text":1}}]}]}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, raw string) {
		if got := adfToText(json.RawMessage(raw)); len(got) > maxADFTextBytes+16 {
			t.Fatalf("%d bytes of text", len(got))
		}
	})
}

func FuzzTextToADF(f *testing.F) {
	f.Add("a\nb\n\nc")
	f.Add("\r\n\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		raw, err := json.Marshal(textToADF(text))
		if err != nil {
			t.Fatal(err)
		}
		var doc adfNode
		if err := json.Unmarshal(raw, &doc); err != nil || doc.Type != "doc" {
			t.Fatalf("not a document: %s", raw)
		}
	})
}
