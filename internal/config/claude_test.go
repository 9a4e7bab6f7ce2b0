package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// agent.claude.resume is off by default, loads for the claude runtime, and is refused with
// its line for any other runtime.
func TestClaudeResume(t *testing.T) {
	base := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: %s\n  command: %s\n"
	c := mustLoad(t, strings.NewReplacer("%s", "claude").Replace(base), nil)
	if c.Agent.Claude.Resume {
		t.Fatal("agent.claude.resume defaults to true")
	}
	c = mustLoad(t, strings.NewReplacer("%s", "claude").Replace(base)+"  claude: {resume: true}\n", nil)
	if !c.Agent.Claude.Resume {
		t.Fatal("agent.claude.resume: true did not load")
	}
	_, err := load(t, "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  claude:\n    resume: true\n", nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "agent.claude.resume" || errs[0].Line != 7 || !strings.Contains(errs[0].Msg, "claude only") {
		t.Fatalf("resume with codex: %v", err)
	}
}
