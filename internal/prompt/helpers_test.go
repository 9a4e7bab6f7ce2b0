package prompt

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// sharedFile returns the path of a file under the shared reference tree beside the checkout,
// skipping outside CI when it is absent and failing in CI.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	return testenv.File(t, "shared reference file", filepath.Join(testenv.ModuleRoot(t), "..", "shared", filepath.FromSlash(rel)))
}

// workflowBody splits a WORKFLOW.md into its front matter and body the simple way (the real
// loader lives in internal/workflow), returning the body and the 1-based line it starts on.
func workflowBody(t *testing.T, text string) (string, int) {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	if strings.TrimSpace(lines[0]) != "---" {
		return text, 1
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			return strings.Join(lines[i+1:], ""), i + 2
		}
	}
	t.Fatal("unterminated front matter")
	return "", 0
}

func mustAgent(t *testing.T, kind string) Agent {
	t.Helper()
	a, err := AgentFor(kind)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
