package cli

import (
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

func TestIssuesCommandGitLab(t *testing.T) {
	srv := gitlabtest.NewServer(t, gitlabtest.Options{Project: "group/app"})
	srv.AddIssue(gitlabtest.Issue{Title: "Fix login", Labels: []string{"workflow::todo", "Backend"}})
	srv.AddIssue(gitlabtest.Issue{Title: "Untriaged"})
	t.Setenv("GITLAB_TOKEN", gitlabtest.Token)
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": issuesWorkflow,
		"symphony.yml": `issues:
  provider: gitlab
  gitlab:
    base_url: ` + srv.URL + `
    project: group/app
    state_labels: {Todo: "workflow::todo"}
  states: {active: [Todo], terminal: [Closed]}
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
		`^repository app \(\(unscoped\)\): 1 issue$`,
		`^  group/app#1 +Todo +P- +labels: workflow::todo,backend +blocked by: - +Fix login$`,
	)
}
