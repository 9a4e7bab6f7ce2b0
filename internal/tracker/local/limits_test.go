package local

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
	"github.com/symphony-go/symphony/internal/yamlschema/yamlschematest"
)

// An issue file is written by whoever can write to the issues directory; a hostile one is
// refused cheaply with its line and the limit's code, like any other malformed issue file.
func TestHostileIssueFileIsRefusedCheaply(t *testing.T) {
	cases := []struct {
		name, front string
		code        string
		line        int
	}{
		{"alias bomb", "title: T\nstate: Todo\n" + yamlschematest.AliasBomb("labels", 0), yamlschema.CodeAliasBomb, 9},
		{"flow sequences 30 000 deep", "title: T\nstate: Todo\nlabels: " + yamlschematest.FlowSequences(30000) + "\n", yamlschema.CodeTooDeep, 4},
		{"block sequences 30 000 deep", "title: T\nstate: Todo\nlabels:\n  " + yamlschematest.BlockSequences(30000) + "\n", yamlschema.CodeTooDeep, 5},
		{"oversized", "title: T\nstate: Todo\n# " + strings.Repeat("x", yamlschema.MaxBytes) + "\n", yamlschema.CodeTooLarge, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			yamlschematest.Cheap(t, func() {
				_, err = parseIssueFile("/dir/LOC-9.md", "LOC-9", []byte("---\n"+c.front+"---\nbody\n"))
			})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != c.line || !strings.Contains(pe.Msg, c.code+": ") {
				t.Fatalf("got %v, want %s at line %d", err, c.code, c.line)
			}
		})
	}
}
