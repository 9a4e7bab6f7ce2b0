package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

func TestIssuesCommandGitHub(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	srv.AddRepository(githubtest.Repository{Owner: "octo", Name: "app"})
	srv.AddRepository(githubtest.Repository{Owner: "octo", Name: "lib"})
	srv.AddIssue("octo/app", githubtest.Issue{Title: "Fix login", Labels: []string{"symphony:todo", "P1"}})
	srv.AddIssue("octo/app", githubtest.Issue{Title: "Blocked", Labels: []string{"symphony:todo"}, Body: "blocked by #1"})
	srv.AddIssue("octo/lib", githubtest.Issue{Title: "Not labelled"})
	t.Setenv("GH_TOKEN", githubtest.Token)
	t.Setenv("SYMPHONY_GITHUB_API_URL", srv.URL)
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": issuesWorkflow,
		"symphony.yml": `issues:
  provider: github
  github:
    repos: [octo/app, octo/lib]
    state_labels: {Todo: "symphony:todo"}
    priority_labels: {p1: 1}
  states: {active: [Todo], terminal: [Closed]}
repositories:
  - key: app
    route: {projects: [octo/app]}
  - key: lib
    route: {projects: [octo/lib]}
workspaces: {root: ws}
agent: {runtime: codex, command: codex app-server}
`,
	})
	code, out, stderr := issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	issuesRequireLines(t, out,
		`^repository app \(projects=octo/app\): 2 issues$`,
		`^  octo/app#1 +Todo +P1 +labels: symphony:todo,p1 +blocked by: - +Fix login$`,
		`^  octo/app#2 +Todo +P- +labels: symphony:todo +blocked by: octo/app#1 \(Todo\) +Blocked$`,
		`^repository lib \(projects=octo/lib\): 0 issues$`,
	)

	t.Setenv("SYMPHONY_GITHUB_API_URL", "http://github.example.com/api")
	code, _, stderr = issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitUsage || !strings.Contains(stderr, "plain http") {
		t.Fatalf("a plain-http API URL off loopback must be refused; exit %d, stderr %q", code, stderr)
	}
}
