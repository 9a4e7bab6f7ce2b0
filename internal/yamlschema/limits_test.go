package yamlschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

	"github.com/symphony-go/symphony/internal/yamlschema/yamlschematest"
)

func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("env:\n")
	for i := range n {
		fmt.Fprintf(&b, "  K%d: v\n", i)
	}
	return b.String()
}

// Lines are reported with an offset of 10, as for YAML embedded in a larger file.
func TestHostileInputIsRefusedCheaply(t *testing.T) {
	cases := []struct {
		name, text string
		code       string
		line       int
	}{
		{"flow sequences 30 000 deep", "x: " + yamlschematest.FlowSequences(30000) + "\n", CodeTooDeep, 11},
		{"flow mappings 30 000 deep", "x: " + yamlschematest.FlowMappings(30000) + "\n", CodeTooDeep, 11},
		{"block sequences 30 000 deep", "x:\n  " + yamlschematest.BlockSequences(30000) + "\n", CodeTooDeep, 12},
		{"unclosed flow sequences 40 000 deep on line 3", "a: 1\nb: 2\nx: " + strings.Repeat("[", 40000) + "\n", CodeTooDeep, 13},
		// 200 KB: the size limit answers before the depth is looked at.
		{"flow sequences 100 000 deep", "x: " + yamlschematest.FlowSequences(100000) + "\n", CodeTooLarge, 11},
		{"block sequences 100 000 deep", "x:\n  " + yamlschematest.BlockSequences(100000) + "\n", CodeTooLarge, 11},
		{"alias bomb in a free-form map", "name: n\n" + yamlschematest.AliasBomb("turn_policy", 0), CodeAliasBomb, 17},
		{"deep nesting after brackets in quotes", "q: '" + strings.Repeat("[", 2*MaxDepth) + "'\nx: " + yamlschematest.FlowSequences(1000) + "\n", CodeTooDeep, 12},
		{"oversized", "x: \"" + strings.Repeat("a", MaxBytes) + "\"\n", CodeTooLarge, 11},
		{"a mapping with too many keys", manyKeys(MaxMappingKeys + 1), CodeTooLarge, 10 + MaxMappingKeys + 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var problem *Coded
			yamlschematest.Cheap(t, func() {
				var node any
				node, problem = Parse("cfg.yml", []byte(c.text), 10, "parse_error")
				if node != nil {
					t.Errorf("a node came back with %v", problem)
				}
			})
			if problem == nil || problem.Code != c.code || problem.File != "cfg.yml" || problem.Line != c.line {
				t.Fatalf("got %v, want code %s at cfg.yml:%d", problem, c.code, c.line)
			}
		})
	}
}

func TestInputsAtTheLimitsAreAccepted(t *testing.T) {
	var shared strings.Builder
	shared.WriteString("defaults: &defaults\n")
	for i := range 30 {
		fmt.Fprintf(&shared, "  k%d: v%d\n", i, i)
	}
	shared.WriteString("repositories:\n")
	for i := range 100 {
		fmt.Fprintf(&shared, "  - <<: *defaults\n    key: r%d\n", i)
	}
	cases := map[string]string{
		"flow nesting at the depth limit":  "x: " + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "\n",
		"block nesting at the depth limit": "x:\n  " + strings.Repeat("- ", MaxDepth-1) + "y\n",
		"a mapping at the key limit":       manyKeys(MaxMappingKeys),
		"defaults merged into a hundred":   shared.String(),
		"just under the size limit":        "x: \"" + strings.Repeat("a", MaxBytes-10) + "\"\n",
		"brackets and dashes as text": "a: '" + strings.Repeat("[", 2*MaxDepth) + "'\nb: |\n  " + strings.Repeat("{", 2*MaxDepth) + "\n  " +
			strings.Repeat("- ", 2*MaxDepth) + "\nc: \"" + strings.Repeat("- ", 2*MaxDepth) + "\" # " + strings.Repeat("[", 2*MaxDepth) + "\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if node, problem := Parse("cfg.yml", []byte(text), 0, "parse_error"); problem != nil || node == nil {
				t.Fatalf("refused: %v", problem)
			}
		})
	}
	node, _ := Parse("cfg.yml", []byte(shared.String()), 0, "parse_error")
	var v struct {
		Defaults     map[string]string   `yaml:"defaults"`
		Repositories []map[string]string `yaml:"repositories"`
	}
	if problems := Decode("cfg.yml", node, &v); len(problems) > 0 || len(v.Repositories) != 100 || v.Repositories[99]["k29"] != "v29" {
		t.Fatalf("merged defaults: %v %v", problems, v.Repositories)
	}
}

// panicky stands for a decoder with a bug: a type whose DecodeYAML panics.
type panicky struct{}

func (*panicky) DecodeYAML(ast.Node) (string, bool) { panic("decoder bug") }

func TestDecoderPanicBecomesALocatedProblem(t *testing.T) {
	var v struct {
		Name  string  `yaml:"name"`
		Buggy panicky `yaml:"buggy"`
	}
	node, problem := Parse("cfg.yml", []byte("name: n\nbuggy: oops\n"), 0, "parse_error")
	if problem != nil {
		t.Fatal(problem)
	}
	problems := Decode("cfg.yml", node, &v)
	if len(problems) != 1 || problems[0].String() != "cfg.yml:2:8: buggy: cannot be decoded (an internal error, please report it): decoder bug" {
		t.Fatalf("got %v", problems)
	}
}
