package codexfake

import (
	"os/exec"
	"strings"
	"testing"
)

// The fake is started once per agent by the benchmark, so what it links is part of every
// start: the package doc promises the standard library only.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var extra []string
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/symphony-go/symphony/internal/agent/codex/codexfake" {
			extra = append(extra, pkg)
		}
	}
	if len(extra) > 0 {
		t.Fatalf("codexfake links packages beyond the standard library: %v", extra)
	}
}
