package tools

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/schemas.golden from the current renderer")

// TestInputSchemasMatchGolden pins the bytes of every catalogued tool's advertised input
// schema; testdata/schemas.golden was written when the schemas were built from maps.
func TestInputSchemasMatchGolden(t *testing.T) {
	var got bytes.Buffer
	for _, tl := range append(append(catalog(), humanInputTool()), githubCatalog()...) {
		got.WriteString(tl.name + " " + string(inputSchema(tl.params)) + "\n")
	}
	file := filepath.Join("testdata", "schemas.golden")
	want := testenv.Golden(t, file, got.Bytes(), *updateGolden)
	// A host advertises the schemas rendered once with the catalogue: the same bytes.
	for _, spec := range newFixture(t, "local", false).host.Specs() {
		line := strings.TrimPrefix(spec.Name, PrefixFor("local")) + " " + string(spec.InputSchema) + "\n"
		if !bytes.Contains(want, []byte(line)) {
			t.Errorf("host advertises %s, which %s does not hold", line, file)
		}
	}
}

// BenchmarkSpecs is what a session start pays to advertise a local-tracker host's tools.
func BenchmarkSpecs(b *testing.B) {
	f := newFixture(b, "local", false)
	b.ReportAllocs()
	for b.Loop() {
		if len(f.host.Specs()) == 0 {
			b.Fatal("no tools")
		}
	}
}
