package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

const benchRuns = 100_000

var (
	benchOnce  sync.Once
	benchRoot  string
	benchStore *Store
	benchErr   error
)

// TestMain removes the benchmark fixture, which is built once per process and outlives any
// single benchmark's TempDir.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// benchFixture returns a store holding benchRuns finished runs over 500 issues in 4 repos,
// inserted in a single transaction.
func benchFixture(b *testing.B) *Store {
	b.Helper()
	benchOnce.Do(func() {
		if benchRoot, benchErr = os.MkdirTemp("", "symphony-store-bench-"); benchErr != nil {
			return
		}
		ctx := context.Background()
		if benchStore, benchErr = Open(ctx, Options{StateRoot: benchRoot, Redactor: secretscan.New()}); benchErr != nil {
			return
		}
		benchErr = benchStore.inTx(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO runs (repo_key, run_id, issue_id, issue_identifier,
				issue_title, status, started_at, ended_at, total_tokens, runtime_seconds) VALUES (?,?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; i < benchRuns; i++ {
				issue := i % 500
				at := start.Add(time.Duration(i) * time.Minute)
				if _, err := stmt.ExecContext(ctx, fmt.Sprintf("repo-%d", issue%4), fmt.Sprintf("run-%d", i),
					fmt.Sprintf("issue-%d", issue), fmt.Sprintf("ENG-%d", issue), "A title of ordinary length",
					"success", formatTime(at), formatTime(at.Add(10*time.Minute)), 12345, 600.0); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func BenchmarkRecentRuns100k(b *testing.B) {
	s := benchFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rs, err := s.Runs(ctx, RunFilter{Limit: 100})
		if err != nil || len(rs) != 100 {
			b.Fatalf("Runs = %d rows, %v", len(rs), err)
		}
	}
}

func BenchmarkIssueRuns100k(b *testing.B) {
	s := benchFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rs, err := s.Runs(ctx, RunFilter{Issue: "ENG-42", Limit: 100})
		if err != nil || len(rs) != 100 {
			b.Fatalf("Runs = %d rows, %v", len(rs), err)
		}
	}
}

// BenchmarkStartFinishRun measures the durable cost of one run's two commits.
func BenchmarkStartFinishRun(b *testing.B) {
	s, err := Open(context.Background(), Options{StateRoot: b.TempDir(), Redactor: secretscan.New()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		r, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "issue-1", IssueTitle: "title"})
		if err != nil {
			b.Fatal(err)
		}
		r.Status = StatusSuccess
		if err := s.FinishRun(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
