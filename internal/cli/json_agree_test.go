package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/store"
)

// Every listing's --json output parses and carries the facts its text output shows.

// textAndJSON runs args twice, with and without --json, and decodes the JSON into v.
func textAndJSON(t *testing.T, v any, args ...string) (text, stderr string) {
	t.Helper()
	code, text, stderr := runCLI(t, args...)
	if code != ExitOK {
		t.Fatalf("%q: exit %d: %s", args, code, stderr)
	}
	code, js, jsErr := runCLI(t, append(args, "--json")...)
	if code != ExitOK {
		t.Fatalf("%q --json: exit %d: %s", args, code, jsErr)
	}
	if err := json.Unmarshal([]byte(js), v); err != nil {
		t.Fatalf("%q --json printed invalid JSON: %v\n%s", args, err, js)
	}
	return text, stderr
}

func requireLine(t *testing.T, text string, fields ...string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		all := true
		for _, f := range fields {
			all = all && strings.Contains(line, f)
		}
		if all {
			return
		}
	}
	t.Fatalf("no text line holds all of %q:\n%s", fields, text)
}

func TestRunsJSONAgreesWithText(t *testing.T) {
	root := runsState(t)
	var runs []store.Run
	text, _ := textAndJSON(t, &runs, "runs", "--state-root", root)
	rows := strings.Split(strings.TrimSpace(text), "\n")[1:]
	if len(runs) != 3 || len(rows) != len(runs) {
		t.Fatalf("%d JSON runs, %d text rows", len(runs), len(rows))
	}
	for i, r := range runs {
		for _, want := range []string{r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.IssueIdentifier, string(r.Status), fmt.Sprint(r.Tokens.Total)} {
			if !strings.Contains(rows[i], want) {
				t.Fatalf("row %d %q lacks %q from JSON", i, rows[i], want)
			}
		}
	}
}

func TestAuditShowJSONAgreesWithText(t *testing.T) {
	root := auditState(t)
	var recs []audit.Record
	text, _ := textAndJSON(t, &recs, "audit", "show", "ENG-1", "--state-root", root)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(recs) == 0 || len(lines) != len(recs) {
		t.Fatalf("%d JSON records, %d text lines", len(recs), len(lines))
	}
	for i, r := range recs {
		for _, want := range []string{fmt.Sprintf("#%d ", r.Seq), r.IssueIdentifier, r.EventType, r.RunID} {
			if !strings.Contains(lines[i], want) {
				t.Fatalf("line %d %q lacks %q from JSON", i, lines[i], want)
			}
		}
	}
}

func TestIssuesJSONAgreesWithText(t *testing.T) {
	dir := t.TempDir()
	writeRoutedLocalIssues(t, dir)
	var l issueListing
	text, _ := textAndJSON(t, &l, "issues", "--config", filepath.Join(dir, "symphony.yml"))
	if len(l.Routes) != 3 || len(l.Conflicts) != 1 || len(l.SkippedFiles) != 1 {
		t.Fatalf("JSON listing = %+v", l)
	}
	requireLine(t, text, "active states: "+strings.Join(l.ActiveStates, ", "))
	rows := 0
	for _, r := range l.Routes {
		requireLine(t, text, "repository "+r.Key+" ("+r.Selector, issueCount(len(r.Issues), "issue"))
		for _, is := range r.Issues {
			requireLine(t, text, is.Identifier, is.State, issuePriority(is.Priority), issueList("labels", is.Labels), issueBlockers(is.BlockedBy), is.Title)
			rows++
		}
	}
	for _, is := range l.Conflicts {
		requireLine(t, text, is.Identifier, is.State, "routes: "+strings.Join(is.Routes, ", "), is.Title)
	}
	for _, f := range l.SkippedFiles {
		requireLine(t, text, f)
	}
	if rows != 2 {
		t.Fatalf("%d dispatchable issues in JSON, want 2", rows)
	}
}

func TestWorkspacesJSONAgreesWithText(t *testing.T) {
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md":           issuesWorkflow,
		"ws/app/LOC-1/notes.md": "notes",
		"ws/app/LOC-9/.keep":    "",
		"issues/LOC-1.md":       "---\ntitle: Done already\nstate: Done\n---\n",
		"symphony.yml": `issues:
  provider: local
  local: {dir: issues}
  states: {active: [Todo], terminal: [Done]}
repositories: [{key: app}]
workspaces: {root: ws, cleanup: {min_free_bytes: 1}}
agent: {runtime: codex, command: codex app-server}
`,
	})
	var inv workspaceInventory
	text, _ := textAndJSON(t, &inv, "workspaces", "--config", filepath.Join(dir, "symphony.yml"), "--state-root", t.TempDir())
	if len(inv.Workspaces) != 2 || !inv.OwnersKnown {
		t.Fatalf("JSON inventory = %+v", inv)
	}
	requireLine(t, text, "workspace root "+inv.Root+": "+inv.Disk)
	for _, e := range inv.Workspaces {
		requireLine(t, text, e.RepoKey, e.Issue, humanBytes(e.SizeBytes), e.Owner, e.Cleanup, e.Path, e.Reason)
	}
}

func TestConfigCheckJSONAgreesWithText(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SYMPHONY_TEST_LINEAR_KEY", "lin_api_secret_value")
	issuesWriteFiles(t, dir, map[string]string{
		"WORKFLOW.md": "---\nhooks: {before_run: make deps}\n---\nWork on {{ issue.identifier }}.\n",
		"symphony.yml": `issues:
  provider: linear
  linear: {api_key: $SYMPHONY_TEST_LINEAR_KEY, scope: {team: ENG}}
repositories: [{key: app}]
workspaces: {root: ws}
agent: {runtime: codex, command: codex app-server, limits: {max_turns: 7}}
`,
	})
	var rep checkReport
	text, stderr := textAndJSON(t, &rep, "config", "check", "--config", filepath.Join(dir, "symphony.yml"))
	if !rep.Valid || len(rep.Problems) != 0 || rep.Effective == nil {
		t.Fatalf("JSON report = %+v", rep)
	}
	if strings.Contains(text, "lin_api_secret_value") {
		t.Fatal("text output shows the secret")
	}
	// The effective configuration is the same document in both forms.
	var fromText map[string]any
	if err := yaml.Unmarshal([]byte(text), &fromText); err != nil {
		t.Fatal(err)
	}
	if a, b := normalizeJSON(t, fromText), normalizeJSON(t, rep.Effective); !reflect.DeepEqual(a, b) {
		t.Fatalf("effective config differs:\ntext %v\njson %v", a, b)
	}
	for _, r := range rep.Resolved {
		requireLine(t, text, "# "+r.Key+": workflow "+r.Workflow, "strategy "+r.Strategy, strings.Join(r.HooksSet, " set, ")+" set")
	}
	for _, w := range rep.Warnings {
		if !strings.Contains(stderr, "warning: "+w) {
			t.Fatalf("stderr lacks warning %q", w)
		}
	}

	// An invalid configuration: the same problems, one per text line.
	if err := os.WriteFile(filepath.Join(dir, "symphony.yml"), []byte("issues: {provider: linear, linear: {api_key: x}}\nrepositories: [{key: app, wokflow: W.md}]\nagent: {limits: {max_turns: -1}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "config", "check", "--config", filepath.Join(dir, "symphony.yml"))
	code2, js, _ := runCLI(t, "config", "check", "--config", filepath.Join(dir, "symphony.yml"), "--json")
	rep = checkReport{}
	if err := json.Unmarshal([]byte(js), &rep); err != nil || code != ExitUsage || code2 != ExitUsage || rep.Valid {
		t.Fatalf("exit %d / %d, valid %t, %v\n%s", code, code2, rep.Valid, err, js)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(rep.Problems) < 2 || len(lines) != len(rep.Problems)+1 {
		t.Fatalf("%d JSON problems, stderr:\n%s", len(rep.Problems), stderr)
	}
	for i, p := range rep.Problems {
		if p.File == "" || p.Line == 0 || p.Code == "" || lines[i] != p.String() {
			t.Fatalf("problem %d: JSON %+v, text %q", i, p, lines[i])
		}
	}
}

// normalizeJSON round-trips v through JSON so numbers and maps compare alike.
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
