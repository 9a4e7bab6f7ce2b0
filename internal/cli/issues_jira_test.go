package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
)

func TestIssuesCommandJira(t *testing.T) {
	srv := jiratest.NewServer(t, jiratest.Options{})
	srv.AddIssue(jiratest.Issue{Summary: "Fix login", Status: "To Do", PriorityID: "2", Labels: []string{"Backend"}})
	srv.AddIssue(jiratest.Issue{Summary: "Blocked", Status: "To Do", BlockedBy: []string{"ENG-1"}})
	srv.AddIssue(jiratest.Issue{Summary: "Shipped", Status: "Done"})
	t.Setenv("JIRA_BASE_URL", srv.URL)
	t.Setenv("JIRA_EMAIL", jiratest.Email)
	t.Setenv("JIRA_API_TOKEN", jiratest.APIToken)
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": issuesWorkflow,
		"symphony.yml": `issues:
  provider: jira
  jira: {project_key: ENG}
  states: {active: [To Do, In Progress], terminal: [Done]}
repositories:
  - key: app
workspaces: {root: ws}
agent: {runtime: codex, command: codex app-server}
`,
	})
	code, out, stderr := issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	issuesRequireLines(t, out,
		`^repository app \(\(unscoped\)\): 2 issues$`,
		`^  ENG-1 +To Do +P2 +labels: backend +blocked by: - +Fix login$`,
		`^  ENG-2 +To Do +P- +labels: - +blocked by: ENG-1 \(To Do\) +Blocked$`,
	)
	if strings.Contains(out+stderr, jiratest.APIToken) {
		t.Fatal("the Jira token was printed")
	}
}
