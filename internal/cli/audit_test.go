package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// auditState writes a state root holding a run store and 30 audit records, one hour apart
// from 2026-03-14 00:30 UTC, alternating between issues ENG-1 and ENG-2.
func auditState(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	next := time.Date(2026, 3, 14, 0, 30, 0, 0, time.UTC)
	clock := func() time.Time { t := next; next = next.Add(time.Hour); return t }
	l, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: red, Head: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		id := []string{"ENG-1", "ENG-2"}[i%2]
		ev := audit.Event{IssueID: "id-" + id, IssueIdentifier: id, RepoKey: "web", RunID: "run-" + id, Type: audit.EventToolCall,
			Details: map[string]any{"step": i}}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return root
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAuditVerifyCommand(t *testing.T) {
	root := auditState(t)
	day15 := filepath.Join(audit.Dir(root), "2026-03-15.ndjson")

	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitOK || !strings.Contains(out, "intact: 30 records in 2 files, sequences 1-30") || !strings.Contains(out, "sequence 30) is present and matches") {
		t.Fatalf("intact log: exit %d\n%s", code, out)
	}

	b, _ := os.ReadFile(day15)
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(day15, []byte(strings.Join(append(lines[:2], lines[3:]...), "")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitFailure || !strings.Contains(out, "BROKEN: 2026-03-15.ndjson line 3, sequence 28: sequence_gap") || !strings.Contains(errOut, "broken at 2026-03-15.ndjson line 3") {
		t.Fatalf("deleted line: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	code, out, _ = runCLI(t, "audit", "verify", "--state-root", root, "--to", "2026-03-14", "--json")
	var rep audit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || rep.Records != 24 || rep.CheckpointChecked {
		t.Fatalf("--to before the break: exit %d, report %+v, %v\n%s", code, rep, err, out)
	}
}

func TestAuditVerifyWarnsAboutATornFinalLine(t *testing.T) {
	root := auditState(t)
	f, err := os.OpenFile(filepath.Join(audit.Dir(root), "2026-03-15.ndjson"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"schema":1,"seq":31,"ts":"2026-03-15T06:3`)
	f.Close()
	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitOK || !strings.Contains(out, "intact: 30 records") || !strings.Contains(out, "warning: 2026-03-15.ndjson line 7 is a torn final line (42 bytes)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditVerifyReadsStateRootFromEnvironment(t *testing.T) {
	root := auditState(t)
	t.Setenv("SYMPHONY_STATE_ROOT", root)
	if code, out, _ := runCLI(t, "audit", "verify"); code != ExitOK || !strings.Contains(out, root) {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditCommandsRejectBadUsage(t *testing.T) {
	root := auditState(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"audit"}, "verify or show"},
		{"bad from", []string{"audit", "verify", "--state-root", root, "--from", "14/03/2026"}, "--from"},
		{"from after to", []string{"audit", "show", "ENG-1", "--state-root", root, "--from", "2026-03-15", "--to", "2026-03-14"}, "after --to"},
		{"show without issue", []string{"audit", "show", "--state-root", root}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", code, errOut, tt.want)
			}
		})
	}
}

func TestAuditShowCommand(t *testing.T) {
	root := auditState(t)
	code, out, _ := runCLI(t, "audit", "show", "ENG-2", "--state-root", root, "--from", "2026-03-15")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines\n%s", code, len(lines), out)
	}
	if lines[0] != `2026-03-15T01:30:00.000Z #26 ENG-2 tool_call run=run-ENG-2 {"step":25}` {
		t.Fatalf("first line = %q", lines[0])
	}
	code, out, _ = runCLI(t, "audit", "show", "id-ENG-1", "--state-root", root, "--json")
	var recs []audit.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil || code != ExitOK || len(recs) != 15 {
		t.Fatalf("exit %d, %d records, %v", code, len(recs), err)
	}
	for i, r := range recs {
		if r.Seq != uint64(2*i+1) || r.IssueIdentifier != "ENG-1" {
			t.Fatalf("record %d = seq %d issue %s", i, r.Seq, r.IssueIdentifier)
		}
	}
	code, out, errOut := runCLI(t, "audit", "show", "ENG-404", "--state-root", root)
	if code != ExitOK || out != "" || !strings.Contains(errOut, "no audit events for ENG-404") {
		t.Fatalf("unknown issue: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
