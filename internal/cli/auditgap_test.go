package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/audit"
)

// TestServiceResumesAnAuditGapOnlyWhenAcknowledged removes the newest audit record behind the
// run store's checkpoint: a service command refuses to start and names the flag, and with
// --acknowledge-audit-gap it starts and the gap is in the chain for verify to report.
func TestServiceResumesAnAuditGapOnlyWhenAcknowledged(t *testing.T) {
	root := auditState(t)
	day := filepath.Join(audit.Dir(root), "2026-03-15.ndjson")
	b, err := os.ReadFile(day)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	if err := os.WriteFile(day, []byte(strings.Join(lines[:len(lines)-1], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "symphony.yml")
	files := map[string]string{
		config:                            "issues: {provider: local, local: {dir: issues}}\nrepositories: [{key: a}]\nagent: {runtime: codex, command: /bin/true app-server}\n",
		filepath.Join(dir, "WORKFLOW.md"): "Work on {{ issue.identifier }}.\n",
	}
	if err := os.Mkdir(filepath.Join(dir, "issues"), 0o700); err != nil {
		t.Fatal(err)
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")

	code, _, stderr := runCLI(t, "run", "ENG-404", "--config", config, "--state-root", root)
	if code != ExitFailure || !strings.Contains(stderr, "records 30-30 were removed") || !strings.Contains(stderr, "--acknowledge-audit-gap") {
		t.Fatalf("run over a log behind its checkpoint: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "run", "ENG-404", "--config", config, "--state-root", root, "--acknowledge-audit-gap")
	if code != ExitUsage || !strings.Contains(stderr, "ENG-404") {
		t.Fatalf("run with the gap acknowledged should open the service and then refuse the unknown issue: exit %d\n%s", code, stderr)
	}
	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitOK || !strings.Contains(out, "sequences 30-30 were missing when the service restarted; the operator resumed past them") {
		t.Fatalf("verify after the acknowledged gap: exit %d\n%s", code, out)
	}
}
