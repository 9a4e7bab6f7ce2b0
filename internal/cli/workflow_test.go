package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runPreviewCmd runs `symphony workflow preview` with a config path that does not exist, so
// the built-in defaults apply.
func runPreviewCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"--config", filepath.Join(t.TempDir(), "absent.yml"), "workflow", "preview"}, args...)
	code = Main(all, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeWorkflowFile(t *testing.T, dir, rel, body string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWorkflowPreviewRendersTheReferenceWorkflow(t *testing.T) {
	ref := filepath.Join("..", "..", "..", "shared", "reference", "automattic-symphony", "WORKFLOW.md")
	if _, err := os.Stat(ref); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: %v", ref, err)
		}
		t.Skipf("%s not present beside the checkout; skipping outside CI", ref)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--file", ref}, []string{"# Symphony runtime rules\n", "You are working on a Linear ticket `SYM-42`", "<linear_issue_body>", "## Codex Workpad", "mix.lock"}},
		{[]string{"--file", ref, "--agent", "claude"}, []string{"## Claude Workpad"}},
		{[]string{"--file", ref, "--pr"}, []string{"# Symphony runtime rules (pull request run)", "PR: https://github.com/example/example-repo/pull/17", "<github_pr_body>"}},
	}
	for _, tt := range tests {
		code, out, errOut := runPreviewCmd(t, tt.args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d, stderr %s", tt.args, code, errOut)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q", tt.args, w)
			}
		}
		if strings.Contains(out, "{{") || strings.Contains(out, "{%") {
			t.Errorf("%v: output has unrendered Liquid", tt.args)
		}
	}
}

func TestWorkflowPreviewIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	wf := writeWorkflowFile(t, dir, "WORKFLOW.md", "{% render \"issue_context\", issue: issue %}\n")
	_, first, _ := runPreviewCmd(t, "--file", wf)
	_, second, _ := runPreviewCmd(t, "--file", wf)
	if first != second || !strings.Contains(first, "Identifier: SYM-42") {
		t.Fatalf("two previews differ or lack the sample issue:\n%s", first)
	}
}

func TestWorkflowPreviewUsesRepoPartialsAndGuides(t *testing.T) {
	dir := t.TempDir()
	wf := writeWorkflowFile(t, dir, "WORKFLOW.md", "---\nhooks:\n  after_create: echo hi\n---\nStart.\n{% render \"house\", who: agent.display_name %}\n")
	writeWorkflowFile(t, dir, ".symphony/partials/house.liquid", "House rules for {{ who }}.\n")
	writeWorkflowFile(t, dir, "CLAUDE.md", "Prefer small commits.\n")
	code, out, errOut := runPreviewCmd(t, "--file", wf, "--agent", "claude")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, w := range []string{"Start.\nHouse rules for Claude.", "## Project conventions\n\n### CLAUDE.md\n\nPrefer small commits."} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestWorkflowPreviewErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	badVar := writeWorkflowFile(t, dir, "bad/WORKFLOW.md", "---\nhooks:\n  after_create: echo hi\n---\n\nline one\n{{ issue.titel }}\n")
	badPartial := writeWorkflowFile(t, dir, "partial/WORKFLOW.md", "{% render \"nope\" %}\n")
	badPR := writeWorkflowFile(t, dir, "pr/WORKFLOW.md", "---\nprompts:\n  pr: |\n    PR {{ pr.nuber }}\n---\nok\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown variable", []string{"--file", badVar}, "template_render_error: " + badVar + ":7:"},
		{"unknown partial", []string{"--file", badPartial}, `unknown partial "nope"`},
		{"pr template", []string{"--file", badPR, "--pr"}, badPR + ":4:"},
		{"unknown agent", []string{"--file", badPartial, "--agent", "gpt"}, `unknown agent runtime "gpt"`},
		{"missing file", []string{"--file", filepath.Join(dir, "none.md")}, "file does not exist"},
		{"stray argument", []string{"extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPreviewCmd(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", code, errOut, tt.want)
			}
			if out != "" {
				t.Fatalf("failed preview printed a prompt: %q", out)
			}
		})
	}
}
