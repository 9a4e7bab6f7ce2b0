package orchestrator

import (
	"strings"
	"testing"
)

// FuzzWorkpadDetection feeds tracker comment bodies (untrusted text) to the workpad matcher:
// it must never panic, must recognise a body whose first non-blank line is the heading, and
// must never recognise one whose first non-blank line differs.
func FuzzWorkpadDetection(f *testing.F) {
	for _, seed := range []string{"", "## Codex Workpad", "\n\n  ## Codex Workpad  \nnotes", "## Codex Workpad v2", "note\n## Codex Workpad", "\r\n## Codex Workpad\r\n"} {
		f.Add(seed)
	}
	const heading = "## Codex Workpad"
	f.Fuzz(func(t *testing.T, body string) {
		got := isWorkpad(body, heading)
		first := ""
		for _, line := range strings.Split(body, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				first = line
				break
			}
		}
		if got != (first == heading) {
			t.Fatalf("isWorkpad(%q) = %v, first non-blank line %q", body, got, first)
		}
		if !isWorkpad(heading+"\n"+body, heading) {
			t.Fatalf("a body starting with the heading was not recognised: %q", body)
		}
	})
}
