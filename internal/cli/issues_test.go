package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func issuesWriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func issuesRun(t *testing.T, config string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main([]string{"issues", "--config", config}, &out, &errb)
	return code, out.String(), errb.String()
}

func issuesRequireLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(out) {
			t.Fatalf("output lacks a line matching %q:\n%s", p, out)
		}
	}
}

const issuesWorkflow = "---\n---\nWork on {{ issue.identifier }}.\n"

// writeRoutedLocalIssues writes a local-tracker installation in dir with three repositories
// routed by label and five issues: one labelled for one repository, one for two, one for the
// default, one done, and one whose front matter misspells a key.
func writeRoutedLocalIssues(t *testing.T, dir string) {
	t.Helper()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": issuesWorkflow,
		"symphony.yml": `issues:
  provider: local
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
repositories:
  - key: web
    route: {labels: [frontend]}
  - key: api
    route: {labels: [backend]}
  - key: misc
    default: true
workspaces: {root: ws}
agent: {runtime: codex, command: codex app-server}
`,
		"issues/LOC-1.md": "---\ntitle: Fix the header\nstate: Todo\npriority: 1\nlabels: [Frontend]\nblocked_by: [LOC-4]\n---\n",
		"issues/LOC-2.md": "---\ntitle: Both sides\nstate: In Progress\nlabels: [frontend, backend]\n---\n",
		"issues/LOC-3.md": "---\ntitle: Anything else\nstate: Todo\n---\n",
		"issues/LOC-4.md": "---\ntitle: Finished\nstate: Done\n---\n",
		"issues/LOC-5.md": "---\ntitle: Broken\nstate: Todo\npriorty: 2\n---\n",
	})
}

func TestIssuesCommandLocal(t *testing.T) {
	dir := t.TempDir()
	writeRoutedLocalIssues(t, dir)
	code, out, stderr := issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	issuesRequireLines(t, out,
		`^repository web \(labels\(all\)=frontend\): 1 issue$`,
		`^  LOC-1 +Todo +P1 +labels: frontend +blocked by: LOC-4 \(Done\) +Fix the header$`,
		`^repository api \(labels\(all\)=backend\): 0 issues$`,
		`^repository misc \(\(unscoped\), default\): 1 issue$`,
		`^  LOC-3 +Todo +P- +labels: - +blocked by: - +Anything else$`,
		`^conflicts, not dispatched until one route matches: 1 issue$`,
		`^  LOC-2 +In Progress .*routes: api, web +Both sides$`,
		`^skipped issue files: 1$`,
		`LOC-5.md:4: .*priorty`,
	)
	if strings.Contains(out, "LOC-4  Done") {
		t.Fatalf("a Done issue is not a candidate:\n%s", out)
	}
}

func TestIssuesCommandLinear(t *testing.T) {
	srv := lineartest.NewServer(t, lineartest.Schema(t), lineartest.Options{})
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Mine", AssigneeID: "user-viewer", Labels: []string{"Backend"}, Priority: 3})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Someone else's", AssigneeID: "user-2"})
	dir := t.TempDir()
	t.Setenv("SYMPHONY_TEST_LINEAR_KEY", lineartest.APIKey)
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": issuesWorkflow,
		"symphony.yml": `issues:
  provider: linear
  linear:
    endpoint: ` + srv.URL + `
    api_key: $SYMPHONY_TEST_LINEAR_KEY
    assignee: me
    scope: {team: ENG}
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
		`^repository app \(team=ENG assignee=me\): 1 issue$`,
		`^  ENG-1 +Todo +P3 +labels: backend +blocked by: - +Mine$`,
	)

	srv.Inject(lineartest.Fault{Status: 500})
	code, _, stderr = issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitFailure || !strings.Contains(stderr, "linear_api_status") {
		t.Fatalf("a failing tracker must exit 1 naming the error kind; exit %d, stderr %q", code, stderr)
	}
}

func TestIssuesCommandRejectsUnlistableProvider(t *testing.T) {
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md":  issuesWorkflow,
		"symphony.yml": "issues: {provider: memory}\nrepositories:\n  - key: app\nworkspaces: {root: ws}\nagent: {runtime: codex, command: codex app-server}\n",
	})
	code, _, stderr := issuesRun(t, filepath.Join(dir, "symphony.yml"))
	if code != ExitUsage || !strings.Contains(stderr, "unsupported_tracker_kind") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
