package workflow

import (
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
	"github.com/symphony-go/symphony/internal/yamlschema/yamlschematest"
)

// Front matter starts on line 2, so its problems name lines of WORKFLOW.md.
func TestHostileFrontMatterIsRefusedCheaplyWithItsLine(t *testing.T) {
	cases := []struct {
		name, front string
		code        string
		line        int
	}{
		{"alias bomb", "hooks: {}\n" + yamlschematest.AliasBomb("verification", 0), yamlschema.CodeAliasBomb, 8},
		{"flow sequences 30 000 deep", "hooks: " + yamlschematest.FlowSequences(30000) + "\n", yamlschema.CodeTooDeep, 2},
		{"block sequences 30 000 deep", "validation:\n  " + yamlschematest.BlockSequences(30000) + "\n", yamlschema.CodeTooDeep, 3},
		{"flow sequences 100 000 deep", "hooks: " + yamlschematest.FlowSequences(100000) + "\n", yamlschema.CodeTooLarge, 2},
		{"oversized", "# " + strings.Repeat("x", yamlschema.MaxBytes) + "\n", yamlschema.CodeTooLarge, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			yamlschematest.Cheap(t, func() { _, err = parse(t, "---\n"+c.front+"---\nbody\n") })
			errs := codeOf(t, err)
			if len(errs) != 1 || errs[0].Code != c.code || errs[0].File != "WORKFLOW.md" || errs[0].Line != c.line {
				t.Fatalf("got %v, want %s at WORKFLOW.md:%d", err, c.code, c.line)
			}
		})
	}
}
