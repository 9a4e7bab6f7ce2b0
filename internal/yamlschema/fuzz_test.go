package yamlschema

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"
)

// FuzzBounded feeds arbitrary text to Parse: it must never panic, a refusal must carry a
// code and the file, and a document it accepts must decode to no more values than its
// bytes plus the alias budget, which is what keeps decoding bounded.
func FuzzBounded(f *testing.F) {
	f.Add([]byte("a: &x {b: [1, *y]}\nc: *x\nd: {<<: *x}\n"))
	f.Add([]byte("x: " + strings.Repeat("[", MaxDepth+1) + "\n"))
	f.Add([]byte("- - - - - x\n- ? a\n  : b\n"))
	f.Add([]byte("a: |\n  [[[[\nb: '[[[['\nc: \"{{{{\" # [[[[\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		node, problem := Parse("f.yml", data, 0, "parse_error")
		if problem != nil {
			if node != nil || problem.Code == "" || problem.File != "f.yml" || problem.Msg == "" {
				t.Fatalf("bad refusal %+v with node %v", problem, node)
			}
			// A refusal found on a prefix must hold for the whole text.
			if problem.Code == CodeTooDeep && checkShape(lexer.Tokenize(string(data))) == nil {
				t.Fatalf("refused as too deep, but the whole text's tokens are not: %v", problem)
			}
			return
		}
		var v any
		for _, p := range Decode("f.yml", node, &v) {
			if strings.Contains(p.Msg, "internal error") {
				t.Fatalf("decoder panicked: %v", p)
			}
		}
		if n := countValues(v); n > len(data)+MaxAliasNodes+1 {
			t.Fatalf("%d bytes decoded to %d values", len(data), n)
		}
	})
}

func countValues(v any) int {
	n := 1
	switch t := v.(type) {
	case map[string]any:
		for _, x := range t {
			n += countValues(x)
		}
	case []any:
		for _, x := range t {
			n += countValues(x)
		}
	}
	return n
}
