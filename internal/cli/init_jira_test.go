package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

// TestInitJiraStatesMatchTheConfigDefaults keeps `symphony init --tracker jira` and the
// config's Jira defaults in step: the states the template writes are the ones a Jira config
// without issues.states gets, starting at Jira's "To Do".
func TestInitJiraStatesMatchTheConfigDefaults(t *testing.T) {
	section, err := fs.ReadFile(templates, "templates/issues.jira.yml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": "/home/op", "JIRA_BASE_URL": "https://acme.atlassian.net", "JIRA_EMAIL": "bot@acme.test", "JIRA_API_TOKEN": "t"}
	load := func(issues string) *config.Config {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "WORKFLOW.md"), []byte("body\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "symphony.yml")
		yml := issues + "repositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\n"
		if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.LoadWithEnv(path, func(name string) (string, bool) { v, ok := env[name]; return v, ok })
		if err != nil {
			t.Fatalf("%v\n%s", err, yml)
		}
		return cfg
	}
	written := load(string(section))
	lines := strings.Split(string(section), "\n")
	withoutStates := slices.DeleteFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "  states:") || strings.HasPrefix(l, "    active:") || strings.HasPrefix(l, "    terminal:")
	})
	defaulted := load(strings.Join(withoutStates, "\n"))
	if !slices.Equal(written.Issues.States.Active, defaulted.Issues.States.Active) {
		t.Errorf("init writes active states %q, a Jira config without them gets %q", written.Issues.States.Active, defaulted.Issues.States.Active)
	}
	if written.Issues.States.Active[0] != config.JiraStartState || written.StartState() != config.JiraStartState {
		t.Errorf("Jira's first active state %q and start state %q, want %q", written.Issues.States.Active[0], written.StartState(), config.JiraStartState)
	}
	for _, s := range written.Issues.States.Terminal {
		if !slices.Contains(defaulted.Issues.States.Terminal, s) {
			t.Errorf("init's terminal state %q is not among the defaults %q", s, defaulted.Issues.States.Terminal)
		}
	}
}
