package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriterAppliesWritesInOrderWithoutBlocking(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	var mu sync.Mutex
	var errs []error
	w := s.NewWriter(func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() })

	// Another connection holds the write lock, as a slow reader-writer elsewhere might.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE totals SET runtime_seconds = runtime_seconds WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run := Run{ID: "r1", RepoKey: "web", IssueID: "issue-1"}
	w.Submit(func(ctx context.Context, s *Store) error { _, err := s.StartRun(ctx, run); return err })
	for i := 0; i < 50; i++ {
		w.Submit(func(ctx context.Context, s *Store) error {
			return s.AddUsage(ctx, Usage{RepoKey: "web", IssueID: "issue-1", Tokens: Tokens{Total: 1}})
		})
	}
	w.Submit(func(ctx context.Context, s *Store) error {
		r := run
		r.Status = StatusSuccess
		return s.FinishRun(ctx, r)
	})
	w.Submit(func(ctx context.Context, s *Store) error {
		return s.FinishRun(ctx, Run{RepoKey: "web", ID: "missing", Status: StatusFailure})
	})
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Submit blocked for %v while the database was locked", d)
	}
	if w.Pending() == 0 {
		t.Fatal("writes applied while another connection held the write lock")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := w.Close(closeCtx); err != nil {
		t.Fatal(err)
	}
	if w.Submit(func(context.Context, *Store) error { return nil }) {
		t.Fatal("Submit accepted a write after Close")
	}
	got, err := s.Run(ctx, "web", "r1")
	if err != nil || got.Status != StatusSuccess {
		t.Fatalf("run = %+v, %v; start and finish must apply in order", got, err)
	}
	if u, _ := s.IssueUsage(ctx, "web", "issue-1"); u.Total != 50 {
		t.Fatalf("usage = %d, want 50", u.Total)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) || !strings.Contains(errs[0].Error(), "web/missing") {
		t.Fatalf("reported errors = %v, want the one failed finish", errs)
	}
}
