package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

func runsState(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"ENG-1", "ENG-2", "ENG-1"} {
		r, err := st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: "id-" + id, IssueIdentifier: id, Attempt: i, StartedAt: start.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := st.RecordPullRequest(ctx, "web", r.ID, "https://github.com/acme/web/pull/7"); err != nil {
				t.Fatal(err)
			}
		}
		if i < 2 {
			r.Status, r.EndedAt, r.Tokens.Total, r.CostUSD = store.StatusFailure, r.StartedAt.Add(90*time.Second), 1200, 0.0125*float64(i+1)
			r.Error = "turn_timeout:\nagent did not answer"
			if err := st.FinishRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestRunsCommand(t *testing.T) {
	root := runsState(t)
	code, out, _ := runCLI(t, "runs", "--state-root", root)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 4 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	want := [][]string{
		{"STARTED", "REPO", "ISSUE", "ATTEMPT", "STATUS", "DURATION", "TOKENS", "COST", "PR", "ERROR"},
		{"2026-03-14", "11:00:00", "web", "ENG-1", "2", "running"},
		{"2026-03-14", "10:00:00", "web", "ENG-2", "1", "failure", "1m30s", "1200", "$0.03", "https://github.com/acme/web/pull/7", "turn_timeout:", "agent", "did", "not", "answer"},
		{"2026-03-14", "09:00:00", "web", "ENG-1", "0", "failure", "1m30s", "1200", "$0.01", "-", "turn_timeout:", "agent", "did", "not", "answer"},
	}
	for i, w := range want {
		got := strings.Fields(lines[i])
		if len(got) < len(w) || strings.Join(got[:len(w)], " ") != strings.Join(w, " ") {
			t.Fatalf("line %d = %q, want fields %q", i, lines[i], w)
		}
	}

	code, out, _ = runCLI(t, "runs", "--state-root", root, "--issue", "ENG-1", "--status", "running", "--json")
	var runs []store.Run
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != ExitOK || len(runs) != 1 || runs[0].Attempt != 2 || runs[0].Status != store.StatusRunning {
		t.Fatalf("exit %d, runs %+v, %v", code, runs, err)
	}
	code, out, _ = runCLI(t, "runs", "--state-root", root, "--issue", "ENG-2", "--json")
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != ExitOK || len(runs) != 1 || runs[0].PRURL != "https://github.com/acme/web/pull/7" || runs[0].CostUSD != 0.025 ||
		!strings.Contains(out, `"pr_url": "https://github.com/acme/web/pull/7"`) {
		t.Fatalf("exit %d, runs %+v, %v\n%s", code, runs, err, out)
	}
}

func TestRunsCommandRejectsBadUsage(t *testing.T) {
	root := runsState(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown status", []string{"runs", "--state-root", root, "--status", "done"}, `--status "done" is not one of`},
		{"zero limit", []string{"runs", "--state-root", root, "--limit", "0"}, "--limit 0"},
		{"argument", []string{"runs", "--state-root", root, "ENG-1"}, "unknown command"},
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
