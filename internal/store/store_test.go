package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

var t0 = time.Date(2026, 3, 14, 23, 59, 0, 0, time.UTC)

func openTest(t testing.TB, root string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{StateRoot: root, Now: func() time.Time { return t0 }, Redactor: secretscan.New()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPrivateFilesAndMigrates(t *testing.T) {
	root := filepath.Join(t.TempDir(), "state")
	s := openTest(t, root)
	if err := s.PutValue(context.Background(), "ns", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{root: 0o700, Path(root): 0o600, Path(root) + "-wal": 0o600, Path(root) + "-shm": 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
	v, err := userVersion(context.Background(), s.db)
	if err != nil || v != schemaVersion {
		t.Fatalf("user_version = %d, %v; want %d", v, err, schemaVersion)
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestOpenRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	newer := t.TempDir()
	s := openTest(t, newer)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	red := secretscan.New()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"empty state root", Options{}, "StateRoot is empty"},
		{"question mark", Options{StateRoot: filepath.Join(t.TempDir(), "a?b"), Redactor: red}, "contains '?'"},
		{"writer without redactor", Options{StateRoot: t.TempDir()}, "Redactor is required"},
		{"read-only missing", Options{StateRoot: t.TempDir(), ReadOnly: true}, "no run store"},
		{"newer schema", Options{StateRoot: newer, Redactor: red}, "schema version 99, newer than this build"},
		{"reader of newer schema", Options{StateRoot: newer, ReadOnly: true}, "schema version 99 but this build reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestRestartKeepsRecoveryState writes everything the orchestrator rebuilds from after a
// restart, closes the store, reopens it and checks each piece came back.
func TestRestartKeepsRecoveryState(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTest(t, root)
	run, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "id-1", IssueIdentifier: "ENG-1", IssueTitle: "Fix it", IssueState: "Todo", WorkspacePath: "/w/ENG-1"})
	if err != nil {
		t.Fatal(err)
	}
	run.SessionID, run.Tokens = "thread-turn", Tokens{Input: 10, Output: 5, Total: 15}
	if err := s.UpdateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	done, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "id-2", IssueIdentifier: "ENG-2", Attempt: 2})
	if err != nil {
		t.Fatal(err)
	}
	done.Status, done.Error, done.RuntimeSeconds = StatusTimeout, "turn_timeout", 42.5
	if err := s.FinishRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	retry := Retry{RepoKey: "web", IssueID: "id-2", Identifier: "ENG-2", Attempt: 3, DueAt: t0.Add(time.Minute), Error: "turn_timeout", Reason: "failure", ElapsedMs: 42500, WorkspacePath: "/w/ENG-2"}
	if err := s.PutRetry(ctx, retry); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPause(ctx, Pause{Paused: true, Reason: "deploy freeze", Actor: "ops"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(ctx, Usage{RepoKey: "web", IssueID: "id-1", Tokens: Tokens{Input: 100, Output: 20, Total: 120}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutValue(ctx, "github.pr", "web#7", []byte(`{"etag":"x"}`)); err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("ab", 32)
	if err := s.SetAuditHead(ctx, 9, hash); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, root)
	n, err := s.MarkInterrupted(ctx, "service restarted")
	if err != nil || n != 1 {
		t.Fatalf("MarkInterrupted = %d, %v; want 1 run", n, err)
	}
	got, err := s.Run(ctx, "web", run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusInterrupted || got.Error != "service restarted" || got.SessionID != "thread-turn" || got.Tokens.Total != 15 || !got.EndedAt.Equal(t0) {
		t.Errorf("interrupted run = %+v", got)
	}
	got, err = s.Run(ctx, "web", done.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusTimeout || got.Error != "turn_timeout" || got.Attempt != 2 || got.RuntimeSeconds != 42.5 {
		t.Errorf("finished run = %+v", got)
	}
	retries, err := s.Retries(ctx)
	if err != nil || len(retries) != 1 || retries[0] != func() Retry { r := retry; r.DueAt = r.DueAt.UTC(); return r }() {
		t.Errorf("Retries = %+v, %v; want [%+v]", retries, err, retry)
	}
	p, err := s.Pause(ctx)
	if err != nil || !p.Paused || p.Reason != "deploy freeze" || p.Actor != "ops" || !p.Since.Equal(t0) {
		t.Errorf("Pause = %+v, %v", p, err)
	}
	day, err := s.DailyUsage(ctx, t0)
	if err != nil || day != 120 {
		t.Errorf("DailyUsage = %d, %v; want 120", day, err)
	}
	life, err := s.IssueUsage(ctx, "web", "id-1")
	if err != nil || life != (Tokens{Input: 100, Output: 20, Total: 120}) {
		t.Errorf("IssueUsage = %+v, %v", life, err)
	}
	tot, err := s.Totals(ctx)
	if err != nil || tot.Tokens.Total != 120 || tot.RuntimeSeconds != 42.5 {
		t.Errorf("Totals = %+v, %v", tot, err)
	}
	v, ok, err := s.Value(ctx, "github.pr", "web#7")
	if err != nil || !ok || string(v) != `{"etag":"x"}` {
		t.Errorf("Value = %q, %v, %v", v, ok, err)
	}
	seq, h, err := s.AuditHead(ctx)
	if err != nil || seq != 9 || h != hash {
		t.Errorf("AuditHead = %d %q %v", seq, h, err)
	}
}

func TestRunsArePartitionedByRepo(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for _, repo := range []string{"api", "web"} {
		if _, err := s.StartRun(ctx, Run{ID: "same", RepoKey: repo, IssueID: "id-" + repo}); err != nil {
			t.Fatalf("StartRun in %s: %v", repo, err)
		}
	}
	if err := s.FinishRun(ctx, Run{ID: "same", RepoKey: "api", IssueID: "id-api", Status: StatusSuccess}); err != nil {
		t.Fatal(err)
	}
	web, err := s.Run(ctx, "web", "same")
	if err != nil || web.Status != StatusRunning || web.IssueID != "id-web" {
		t.Fatalf("web run = %+v, %v; finishing api's run must not touch it", web, err)
	}
	if _, err := s.StartRun(ctx, Run{ID: "same", RepoKey: "api", IssueID: "x"}); err == nil {
		t.Fatal("a duplicate run id within one repo was accepted")
	}
}

func TestRunWritesRejectBadInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	finished, err := s.StartRun(ctx, Run{RepoKey: "r", IssueID: "i"})
	if err != nil {
		t.Fatal(err)
	}
	finished.Status = StatusSuccess
	if err := s.FinishRun(ctx, finished); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		do       func() error
		want     string
		notFound bool
	}{
		{"start without repo", func() error { _, err := s.StartRun(ctx, Run{IssueID: "i"}); return err }, "repo_key", false},
		{"start without issue", func() error { _, err := s.StartRun(ctx, Run{RepoKey: "r"}); return err }, "issue_id", false},
		{"negative attempt", func() error { _, err := s.StartRun(ctx, Run{RepoKey: "r", IssueID: "i", Attempt: -1}); return err }, "attempt -1", false},
		{"finish as running", func() error { return s.FinishRun(ctx, Run{RepoKey: "r", ID: "x", Status: StatusRunning}) }, "not a final status", false},
		{"finish unknown", func() error { return s.FinishRun(ctx, Run{RepoKey: "r", ID: "nope", Status: StatusFailure}) }, "r/nope", true},
		{"finish twice", func() error { return s.FinishRun(ctx, finished) }, "no running run", true},
		{"update finished", func() error { return s.UpdateRun(ctx, finished) }, "no running run", true},
		{"retry attempt 0", func() error { return s.PutRetry(ctx, Retry{RepoKey: "r", IssueID: "i", DueAt: t0}) }, "attempt 0", false},
		{"retry without due", func() error { return s.PutRetry(ctx, Retry{RepoKey: "r", IssueID: "i", Attempt: 1}) }, "due_at", false},
		{"negative usage", func() error { return s.AddUsage(ctx, Usage{RepoKey: "r", IssueID: "i", Tokens: Tokens{Total: -1}}) }, "negative", false},
		{"pause without reason", func() error { return s.SetPause(ctx, Pause{Paused: true}) }, "reason is required", false},
		{"kv without key", func() error { return s.PutValue(ctx, "ns", "", nil) }, "key", false},
		{"short audit hash", func() error { return s.SetAuditHead(ctx, 1, "abc") }, "64-hex-digit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
			}
			if errors.Is(err, ErrNotFound) != tt.notFound {
				t.Fatalf("errors.Is(ErrNotFound) = %v, want %v", !tt.notFound, tt.notFound)
			}
		})
	}
	got, err := s.Run(ctx, "r", finished.ID)
	if err != nil || got.Status != StatusSuccess {
		t.Fatalf("finished run changed by rejected writes: %+v, %v", got, err)
	}
}

func TestRunsFilterNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i, iss := range []string{"ENG-1", "ENG-2", "ENG-1", "ENG-3", "ENG-1"} {
		r, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "id-" + iss, IssueIdentifier: iss, Attempt: i})
		if err != nil {
			t.Fatal(err)
		}
		if iss == "ENG-2" {
			r.Status = StatusFailure
			if err := s.FinishRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	attempts := func(rs []Run) []int {
		var out []int
		for _, r := range rs {
			out = append(out, r.Attempt)
		}
		return out
	}
	tests := []struct {
		name string
		f    RunFilter
		want []int
	}{
		{"all", RunFilter{}, []int{4, 3, 2, 1, 0}},
		{"limit", RunFilter{Limit: 2}, []int{4, 3}},
		{"by identifier", RunFilter{Issue: "ENG-1"}, []int{4, 2, 0}},
		{"by id", RunFilter{Issue: "id-ENG-3"}, []int{3}},
		{"by status", RunFilter{Status: StatusFailure}, []int{1}},
		{"other repo", RunFilter{RepoKey: "api"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := s.Runs(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := attempts(rs); !equalInts(got, tt.want) {
				t.Fatalf("attempts = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := s.Runs(ctx, RunFilter{Limit: -1}); err == nil {
		t.Fatal("negative limit accepted")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUsageCountsPerUTCDayAndPerIssue(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	berlin := time.FixedZone("CET", 3600)
	deltas := []Usage{
		{RepoKey: "web", IssueID: "a", At: t0, Tokens: Tokens{Total: 10}},
		// 00:30 in Berlin is still the previous UTC day.
		{RepoKey: "web", IssueID: "a", At: time.Date(2026, 3, 15, 0, 30, 0, 0, berlin), Tokens: Tokens{Total: 5}},
		{RepoKey: "web", IssueID: "a", At: t0.Add(2 * time.Minute), Tokens: Tokens{Total: 7}},
		{RepoKey: "api", IssueID: "a", At: t0.Add(2 * time.Minute), Tokens: Tokens{Total: 1}},
	}
	for _, d := range deltas {
		if err := s.AddUsage(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for day, want := range map[time.Time]int64{t0: 15, t0.Add(2 * time.Minute): 8, t0.Add(48 * time.Hour): 0} {
		if got, err := s.DailyUsage(ctx, day); err != nil || got != want {
			t.Errorf("DailyUsage(%s) = %d, %v; want %d", day.Format(time.DateOnly), got, err, want)
		}
	}
	if got, _ := s.IssueUsage(ctx, "web", "a"); got.Total != 22 {
		t.Errorf("web/a lifetime = %d, want 22", got.Total)
	}
	if got, _ := s.IssueUsage(ctx, "api", "a"); got.Total != 1 {
		t.Errorf("api/a lifetime = %d, want 1", got.Total)
	}
	if tot, _ := s.Totals(ctx); tot.Tokens.Total != 23 {
		t.Errorf("total = %d, want 23", tot.Tokens.Total)
	}
}

func TestPauseResumeAndRetryDelete(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	if err := s.SetPause(ctx, Pause{Paused: true, Reason: "budget", Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPause(ctx, Pause{Paused: false, Reason: "ignored"}); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Pause(ctx); err != nil || p != (Pause{}) {
		t.Fatalf("after resume Pause = %+v, %v; want cleared", p, err)
	}
	r := Retry{RepoKey: "web", IssueID: "a", Attempt: 1, DueAt: t0}
	if err := s.PutRetry(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Attempt, r.DueAt = 2, t0.Add(time.Hour)
	if err := s.PutRetry(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Retries(ctx); len(got) != 1 || got[0].Attempt != 2 {
		t.Fatalf("Retries after replace = %+v, want one row at attempt 2", got)
	}
	if err := s.DeleteRetry(ctx, "web", "a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Retries(ctx); len(got) != 0 {
		t.Fatalf("Retries after delete = %+v", got)
	}
}

func TestAuditHeadOnlyMovesForward(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	if err := s.SetAuditHead(ctx, 5, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAuditHead(ctx, 3, b); err != nil {
		t.Fatal(err)
	}
	if seq, h, _ := s.AuditHead(ctx); seq != 5 || h != a {
		t.Fatalf("head = %d %s, want 5 %s", seq, h, a)
	}
}

func TestSignedAuditHeadKeepsOneSignaturePerDayMovingForward(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	a, b, c := strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64)
	steps := []struct {
		seq       uint64
		hash, day string
	}{{4, a, "2026-03-14"}, {7, b, "2026-03-14"}, {5, a, "2026-03-14"}, {9, c, "2026-03-15"}}
	for _, st := range steps {
		if err := s.SetSignedAuditHead(ctx, st.seq, st.hash, st.day, fmt.Sprintf("sig-%s-%d", st.day, st.seq)); err != nil {
			t.Fatal(err)
		}
	}
	sigs, err := s.AuditSignatures(ctx)
	if err != nil || !slices.Equal(sigs, []string{"sig-2026-03-14-7", "sig-2026-03-15-9"}) {
		t.Fatalf("AuditSignatures = %q, %v", sigs, err)
	}
	if seq, h, _ := s.AuditHead(ctx); seq != 9 || h != c {
		t.Fatalf("head = %d %s, want 9 %s", seq, h, c)
	}
	if err := s.SetSignedAuditHead(ctx, 10, c, "2026-03-15", ""); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("empty signature accepted: %v", err)
	}
}

// TestReaderSeesCommitsWhileWriterWrites opens a read-only store beside a writing one, as the
// CLI does while the service runs, and checks reads neither fail nor see partial transactions.
func TestReaderSeesCommitsWhileWriterWrites(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	w := openTest(t, root)
	r, err := Open(ctx, Options{StateRoot: root, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const n = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if err := w.AddUsage(ctx, Usage{RepoKey: "web", IssueID: "a", Tokens: Tokens{Input: 1, Total: 1}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	defer wg.Wait()
	deadline := time.After(30 * time.Second)
	for {
		// One statement reads one snapshot, so both sums must agree unless a transaction
		// was seen half-applied.
		var total, issue int64
		err := r.db.QueryRowContext(ctx, `SELECT (SELECT total_tokens FROM totals WHERE id=1),
			COALESCE((SELECT total_tokens FROM issue_usage WHERE repo_key='web' AND issue_id='a'), 0)`).Scan(&total, &issue)
		if err != nil {
			t.Fatal(err)
		}
		if total != issue {
			t.Fatalf("reader saw a partial transaction: totals %d, issue %d", total, issue)
		}
		if total == n {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("reader stuck at %d of %d", total, n)
		default:
		}
	}
	wg.Wait()
	if err := r.PutValue(ctx, "ns", "k", []byte("v")); err == nil {
		t.Fatal("a read-only store accepted a write")
	}
}

func TestMigrationResumesFromOlderVersion(t *testing.T) {
	root := t.TempDir()
	if err := createPrivateFile(root, Path(root)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", Path(root))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0] + "; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO runs (repo_key, run_id, issue_id, status, started_at) VALUES ('web','r1','i','success','2026-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openTest(t, root)
	if got, err := s.Run(context.Background(), "web", "r1"); err != nil || got.Status != StatusSuccess || got.AgentPID != 0 {
		t.Fatalf("row written before reopening = %+v, %v", got, err)
	}
}

func TestSetRunAgentRecordsTheProcessOfARunningRun(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	r, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRunAgent(ctx, "web", r.ID, 4321, 987654321); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, "web", r.ID)
	if err != nil || got.AgentPID != 4321 || got.AgentStartTime != 987654321 {
		t.Fatalf("run after SetRunAgent = %+v, %v", got, err)
	}
	// Progress updates leave the agent alone; a finished run cannot be given one.
	if err := s.UpdateRun(ctx, Run{RepoKey: "web", ID: r.ID, SessionID: "s"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, "web", r.ID); got.AgentPID != 4321 {
		t.Fatalf("UpdateRun cleared the agent: %+v", got)
	}
	if err := s.FinishRun(ctx, Run{RepoKey: "web", ID: r.ID, Status: StatusSuccess}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRunAgent(ctx, "web", r.ID, 1, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetRunAgent on a finished run = %v, want ErrNotFound", err)
	}
}

func TestRecordPullRequestSurvivesTheRunFinishing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	r, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://github.com/acme/widgets/pull/7"
	if err := s.RecordPullRequest(ctx, "web", r.ID, url); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, Run{RepoKey: "web", ID: r.ID, Status: StatusSuccess}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, "web", r.ID)
	if err != nil || got.PRURL != url {
		t.Fatalf("run after RecordPullRequest and FinishRun = %+v, %v", got, err)
	}
	if err := s.RecordPullRequest(ctx, "api", r.ID, url); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RecordPullRequest for another repo's run = %v, want ErrNotFound", err)
	}
}

func TestHoldsAreKeptPerRepositoryAndRedacted(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	for _, h := range []Hold{
		{IssueID: "b", Identifier: "ENG-2", RepoKey: "web", Reason: "stopped by operator"},
		{IssueID: "a", Identifier: "ENG-1", RepoKey: "api", Reason: "needs human attention: token ghp_" + strings.Repeat("a", 36)},
		{IssueID: "a", Identifier: "ENG-1", RepoKey: "web", Reason: "stopped by operator"},
	} {
		if err := s.PutHold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteHold(ctx, "web", "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteHold(ctx, "web", "missing"); err != nil {
		t.Errorf("deleting a missing hold: %v", err)
	}
	holds, err := s.Holds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(holds) != 2 || holds[0].RepoKey != "api" || holds[1].Identifier != "ENG-2" {
		t.Fatalf("holds %+v, want api/ENG-1 then web/ENG-2", holds)
	}
	if strings.Contains(holds[0].Reason, "ghp_") || holds[0].Since.IsZero() {
		t.Errorf("hold %+v: reason not redacted or no time", holds[0])
	}
	if err := s.PutHold(ctx, Hold{Identifier: "ENG-9"}); err == nil {
		t.Error("a hold without an issue id was accepted")
	}
}

func TestRunsRebuildKeepsEveryRowAndAcceptsRateLimited(t *testing.T) {
	root := t.TempDir()
	if err := createPrivateFile(root, Path(root)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", Path(root))
	if err != nil {
		t.Fatal(err)
	}
	// before is the schema version just before the runs table was rebuilt.
	before := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "runs_rebuilt") })
	if before < 0 {
		t.Fatal("no migration rebuilds the runs table")
	}
	for _, m := range migrations[:before] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d;
		INSERT INTO runs (repo_key, run_id, issue_id, status, started_at, pr_url, tool_calls, total_tokens)
		VALUES ('web','r1','i','budget_exhausted','2026-01-01T00:00:00.000000000Z','https://github.com/o/r/pull/7',3,1234)`, before)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO runs (repo_key, run_id, issue_id, status, started_at) VALUES ('web','r2','i','rate_limited','2026-01-01T00:00:00.000000000Z')`); err == nil {
		t.Fatal("the old table accepted rate_limited; the rebuild is not needed")
	}
	db.Close()

	s := openTest(t, root)
	ctx := context.Background()
	got, err := s.Run(ctx, "web", "r1")
	if err != nil || got.Status != StatusBudgetExhausted || got.PRURL != "https://github.com/o/r/pull/7" || got.ToolCalls != 3 || got.Tokens.Total != 1234 {
		t.Fatalf("row after the rebuild = %+v, %v", got, err)
	}
	r, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, Run{RepoKey: "web", ID: r.ID, Status: StatusRateLimited, Error: "usage limit"}); err != nil {
		t.Fatalf("finishing a run as rate_limited: %v", err)
	}
	runs, err := s.Runs(ctx, RunFilter{Status: StatusRateLimited})
	if err != nil || len(runs) != 1 || runs[0].ID != r.ID {
		t.Fatalf("rate-limited runs = %+v, %v", runs, err)
	}
}
