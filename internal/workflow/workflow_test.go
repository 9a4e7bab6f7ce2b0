package workflow

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func parse(t *testing.T, text string) (*Workflow, error) {
	t.Helper()
	return Parse("WORKFLOW.md", []byte(text))
}

func codeOf(t *testing.T, err error) yamlschema.Errors {
	t.Helper()
	var errs yamlschema.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v is not yamlschema.Errors", err)
	}
	return errs
}

func TestParseSplitsFrontMatterAndKeepsBodyLine(t *testing.T) {
	w, err := parse(t, "---\nhooks:\n  before_run: echo hi\n---\n\n\n  Work on {{ issue.identifier }}.\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if w.PromptTemplate != "Work on {{ issue.identifier }}." {
		t.Fatalf("prompt = %q", w.PromptTemplate)
	}
	if w.PromptLine != 7 {
		t.Fatalf("prompt line = %d, want 7", w.PromptLine)
	}
	s, err := w.Decode(DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if s.Hooks.BeforeRun != "echo hi" || s.Hooks.TimeoutMs != 60000 {
		t.Fatalf("hooks = %+v", s.Hooks)
	}
}

func TestNoFrontMatterIsAllBody(t *testing.T) {
	w, err := parse(t, "Just a prompt\n")
	if err != nil {
		t.Fatal(err)
	}
	if w.frontMatter != nil || w.PromptTemplate != "Just a prompt" || w.PromptLine != 1 {
		t.Fatalf("got %+v", w)
	}
}

func TestEmptyBodyIsAnEmptyTemplate(t *testing.T) {
	w, err := parse(t, "---\n---\n   \n")
	if err != nil {
		t.Fatal(err)
	}
	if w.PromptTemplate != "" {
		t.Fatalf("got %+v", w)
	}
}

func TestPromptOverridesRecordTheirLines(t *testing.T) {
	w, err := parse(t, "---\nprompts:\n  pr: |\n    PR {{ pr.url }}\n  issue: Issue {{ issue.title }}\n---\nbody\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Decode(DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	if w.PRPrompt != "PR {{ pr.url }}" || w.PRPromptLine != 4 {
		t.Fatalf("pr prompt = %q line %d", w.PRPrompt, w.PRPromptLine)
	}
	if w.PromptTemplate != "Issue {{ issue.title }}" || w.PromptLine != 5 {
		t.Fatalf("issue prompt = %q line %d", w.PromptTemplate, w.PromptLine)
	}
}

func TestErrorsCarryCodesAndLines(t *testing.T) {
	cases := []struct {
		name, text, code string
		line             int
		contains         string
	}{
		{"unclosed", "---\nhooks: {}\n", CodeParseError, 1, "never closed"},
		{"bad yaml", "---\nhooks: [\n---\n", CodeParseError, 2, ""},
		{"not a map", "---\n- a\n- b\n---\n", CodeFrontMatterNotAMap, 2, "mapping"},
		{"scalar", "---\nhello\n---\n", CodeFrontMatterNotAMap, 2, "mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.text)
			errs := codeOf(t, err)
			if errs[0].Code != tc.code || errs[0].Line != tc.line || !strings.Contains(errs[0].Msg, tc.contains) {
				t.Fatalf("got %v", errs)
			}
		})
	}
}

func TestDecodeRejectsOperatorKeysAndBadValues(t *testing.T) {
	w, err := parse(t, "---\nagent:\n  runtime: codex\nhooks:\n  timeout_ms: -5\n  befor_run: x\nverification:\n  dev_server:\n    start_cmd: pnpm dev\n    stop_signal: NOPE\nvalidation: [\"\"]\n---\nbody\n")
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Decode(DefaultSettings())
	errs := codeOf(t, err)
	want := map[string]int{
		"agent":            2,
		"hooks.befor_run":  6,
		"hooks.timeout_ms": 5,
		"verification.dev_server.health_check_url": 8,
		"verification.dev_server.stop_signal":      10,
		"validation[0]":                            11,
	}
	got := map[string]int{}
	for _, e := range errs {
		if e.Code != CodeInvalidConfig {
			t.Errorf("code %s for %v", e.Code, e)
		}
		got[e.Path] = e.Line
	}
	for path, line := range want {
		if got[path] != line {
			t.Errorf("%s: line %d, want %d (all: %v)", path, got[path], line, errs)
		}
	}
	if !strings.Contains(errs.Error(), "move operator settings to symphony.yml") {
		t.Errorf("missing advice: %v", errs)
	}
	if !strings.Contains(errs.Error(), "did you mean `before_run`") {
		t.Errorf("missing suggestion: %v", errs)
	}
}

func TestRepoVerificationMergesOverOperator(t *testing.T) {
	base := DefaultSettings()
	base.Verification.Enabled = true
	base.Verification.PortAllocation.Range = []int{5000, 5009}
	w, err := parse(t, "---\nverification:\n  dev_server:\n    start_cmd: pnpm dev\n    health_check_url: http://localhost:$SYMPHONY_VERIFICATION_PORT/\n---\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.Decode(base)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Verification.Enabled || s.Verification.PortAllocation.Range[0] != 5000 || s.Verification.DevServer.StartCmd != "pnpm dev" || s.Verification.DevServer.StopSignal != "TERM" {
		t.Fatalf("merged = %+v", s.Verification)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.md"))
	if errs := codeOf(t, err); errs[0].Code != CodeMissingFile {
		t.Fatalf("got %v", errs)
	}
}

func TestReferenceWorkflowLoads(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "reference", "automattic-symphony", "WORKFLOW.md")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference WORKFLOW.md missing in CI: %v", err)
		}
		t.Skipf("reference WORKFLOW.md not present: %v", err)
	}
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.Decode(DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if s.Hooks.AfterCreate == "" || w.PRPrompt == "" || w.PromptTemplate == "" {
		t.Fatalf("reference workflow lost content: hooks=%+v pr=%d body=%d", s.Hooks, len(w.PRPrompt), len(w.PromptTemplate))
	}
}

func FuzzParse(f *testing.F) {
	f.Add("---\nhooks:\n  before_run: x\n---\nbody")
	f.Add("no front matter")
	f.Add("---\n- list\n---\n")
	f.Add("---\na: &x {b: 1}\nc: *x\n<<: *x\n---\n")
	f.Add("---\n")
	f.Fuzz(func(t *testing.T, text string) {
		w, err := Parse("WORKFLOW.md", []byte(text))
		if err != nil {
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		if _, err := w.Decode(DefaultSettings()); err != nil {
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("decode error without problems: %v", err)
			}
		}
	})
}

// prompts.include_learnings opts a repository in to its learnings in the first prompt, with a
// bound named at its line.
func TestIncludeLearningsIsReadAndBounded(t *testing.T) {
	w, err := parse(t, "---\nprompts:\n  include_learnings: 5\n---\nbody\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Decode(DefaultSettings()); err != nil || w.IncludeLearnings != 5 {
		t.Fatalf("include_learnings = %d, %v; want 5", w.IncludeLearnings, err)
	}
	for _, n := range []string{"-1", "21"} {
		w, err := parse(t, "---\nhooks: {}\nprompts:\n  include_learnings: "+n+"\n---\nbody\n")
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Decode(DefaultSettings())
		errs := codeOf(t, err)
		if len(errs) != 1 || errs[0].Path != "prompts.include_learnings" || errs[0].Line != 4 || !strings.Contains(errs[0].Msg, "between 0 and 20") {
			t.Fatalf("include_learnings %s: %v", n, errs)
		}
	}
}
