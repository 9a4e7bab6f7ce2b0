package sandbox_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// readmeRows maps each row of the README's security table to the matrix rows it summarises.
var readmeRows = map[string][]string{
	"write outside the workspace":                                              {sandbox.AttackWriteOutside},
	"read `~/.ssh`, `~/.aws` credentials":                                      {sandbox.AttackReadSSH, sandbox.AttackReadAWS},
	"read Codex's own `auth.json`":                                             {sandbox.AttackReadCodexAuth},
	"read Symphony's state root, run store, audit log, logs or `symphony.yml`": {sandbox.AttackReadState, sandbox.AttackReadLogs, sandbox.AttackReadConfig},
	"read another session's directory":                                         {sandbox.AttackReadPeerSession},
	"rewrite the session's own Codex config":                                   {sandbox.AttackWriteCodexHome},
	"overwrite `WORKFLOW.md`, `.git/config`":                                   {sandbox.AttackWriteWorkflow, sandbox.AttackWriteGitConfig},
	"reach a host that is not allow-listed":                                    {sandbox.AttackNetOtherHost},
	"reach another port of an allow-listed host":                               {sandbox.AttackNetOtherProxy},
	"bypass the proxy to reach the network directly":                           {sandbox.AttackNetOtherDirect},
	"connect to a Unix socket (e.g. docker.sock)":                              {sandbox.AttackSocketOther},
	"agent environment holds operator secrets":                                 {sandbox.AttackEnvSecrets},
	"agent or bwrap processes left after the service is killed":                {sandbox.AttackOutliveService},
}

// readmeLeftOut are the rows the README does not show: probes a working session needs, and
// Claude's own login, which docs/security.md covers with the claude column.
var readmeLeftOut = []string{sandbox.AttackNetAllowed, sandbox.AttackSocketOwn, sandbox.AttackOwnTmpdir, sandbox.AttackReadClaudeAuth}

// TestDocsMatchExplain fails when the README's security table or docs/security.md's measured
// matrix drifts from the table `sandbox explain` prints (sandbox.Measured, as Explain renders
// it), or when either leaves a row out.
func TestDocsMatchExplain(t *testing.T) {
	root := testenv.ModuleRoot(t)
	explained := explainedMatrix(t)

	readme := tableRows(t, filepath.Join(root, "README.md"), "## Security")
	covered := map[string]bool{}
	for _, cells := range readme {
		ids, ok := readmeRows[cells[0]]
		if !ok {
			t.Errorf("README row %q maps to no measured attack; add it to readmeRows", cells[0])
			continue
		}
		for _, id := range ids {
			covered[id] = true
			for i, mode := range []sandbox.Mode{sandbox.ModeCodexProfile, sandbox.ModeSRT} {
				if got, want := cellOutcome(cells[i+1]), docWord(id, explained[id][mode]); got != want {
					t.Errorf("README %q under %s says %q; sandbox explain says %q (%s)", cells[0], mode, got, want, id)
				}
			}
		}
	}
	for _, a := range sandbox.Attacks {
		if !covered[a.ID] && !slices.Contains(readmeLeftOut, a.ID) {
			t.Errorf("README security table has no row for %s", a.ID)
		}
	}

	docs := tableRows(t, filepath.Join(root, "docs", "security.md"), "## Measured matrix")
	seen := map[string]bool{}
	for _, cells := range docs {
		id := strings.Trim(strings.Fields(cells[0])[0], "`")
		if _, ok := explained[id]; !ok {
			t.Errorf("docs/security.md row %q names no measured attack", cells[0])
			continue
		}
		seen[id] = true
		for i, mode := range sandbox.Modes {
			if got, want := cellOutcome(cells[i+1]), docWord(id, explained[id][mode]); got != want {
				t.Errorf("docs/security.md %s under %s says %q; sandbox explain says %q", id, mode, got, want)
			}
		}
	}
	for _, a := range sandbox.Attacks {
		if !seen[a.ID] {
			t.Errorf("docs/security.md matrix has no row for %s", a.ID)
		}
	}
}

// explainedMatrix is the matrix exactly as `sandbox explain` reports it.
func explainedMatrix(t *testing.T) map[string]map[sandbox.Mode]sandbox.Outcome {
	t.Helper()
	pol, err := sandbox.Resolve(sandbox.Input{Runtime: sandbox.RuntimeCodex, Workspace: "/srv/ws/A-1", Home: "/home/op"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[sandbox.Mode]sandbox.Outcome{}
	for _, r := range pol.Explain().Matrix {
		out[r.Attack] = r.Outcomes
	}
	return out
}

// docWord is how the docs spell an outcome: a process left behind is "none" when blocked.
func docWord(id string, o sandbox.Outcome) string {
	if id == sandbox.AttackOutliveService && o == sandbox.Blocked {
		return "none"
	}
	return string(o)
}

// cellOutcome is a table cell's first word without emphasis: "**allowed** (why)" is allowed.
func cellOutcome(cell string) string {
	f := strings.Fields(strings.ReplaceAll(cell, "**", ""))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// tableRows returns the body rows (cells trimmed) of the first Markdown table after heading.
func tableRows(t *testing.T, path, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q section", path, heading)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(after, "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "attack" || strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table under %q", path, heading)
	}
	return rows
}
