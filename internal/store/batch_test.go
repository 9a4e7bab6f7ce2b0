package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
)

// A batch's writes become visible together when it commits; a failed write inside it,
// one statement or several, is undone alone and reported to its caller; the others commit.
func TestBatchCommitsTogetherAndUndoesAFailedWriteAlone(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTest(t, root)
	reader, err := Open(ctx, Options{StateRoot: root, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	boom := errors.New("boom")
	var unknownAgent, undone error
	var seenBeforeCommit int
	err = s.Batch(ctx, func(ctx context.Context) {
		for _, id := range []string{"r1", "r2"} {
			if _, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i-" + id, ID: id}); err != nil {
				t.Errorf("StartRun %s: %v", id, err)
			}
		}
		unknownAgent = s.SetRunAgent(ctx, "web", "no-such-run", 42, 7)
		undone = s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE totals SET runtime_seconds = runtime_seconds + 99 WHERE id = 1`); err != nil {
				return err
			}
			return boom
		})
		if err := s.AddUsage(ctx, Usage{RepoKey: "web", IssueID: "i-r1", Tokens: Tokens{Input: 3, Total: 3}}); err != nil {
			t.Errorf("AddUsage: %v", err)
		}
		runs, err := reader.Runs(ctx, RunFilter{})
		if err != nil {
			t.Errorf("reading during the batch: %v", err)
		}
		seenBeforeCommit = len(runs)
	})
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	if !errors.Is(unknownAgent, ErrNotFound) {
		t.Errorf("SetRunAgent of an unknown run in a batch = %v, want ErrNotFound", unknownAgent)
	}
	if !errors.Is(undone, boom) {
		t.Errorf("failing write in a batch = %v, want its own error", undone)
	}
	if seenBeforeCommit != 0 {
		t.Errorf("a reader saw %d runs before the batch committed, want 0", seenBeforeCommit)
	}
	runs, err := reader.Runs(ctx, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("after the batch the reader sees %d runs, want 2", len(runs))
	}
	totals, err := reader.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if totals.RuntimeSeconds != 0 || totals.Tokens.Total != 3 {
		t.Errorf("totals after the batch = runtime %v, tokens %d; want the failed write undone (0) and the usage kept (3)",
			totals.RuntimeSeconds, totals.Tokens.Total)
	}
}

// A context carrying one store's batch does not pull another store's writes into it.
func TestBatchBelongsToItsStore(t *testing.T) {
	ctx := context.Background()
	a, b := openTest(t, t.TempDir()), openTest(t, t.TempDir())
	err := a.Batch(ctx, func(ctx context.Context) {
		if _, err := b.StartRun(ctx, Run{RepoKey: "web", IssueID: "i", ID: "r"}); err != nil {
			t.Errorf("StartRun on the other store: %v", err)
		}
		runs, err := b.Runs(ctx, RunFilter{})
		if err != nil || len(runs) != 1 {
			t.Errorf("the other store's write was not committed on its own: %d runs, %v", len(runs), err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStartBurstWrites is the store's part of 200 session starts: a run record and an
// agent process for each, written one commit each (as the recorder did) or as one batch of
// each kind (as it does now, when they are queued together).
func BenchmarkStartBurstWrites(b *testing.B) {
	ctx := context.Background()
	for _, batched := range []bool{false, true} {
		b.Run(fmt.Sprintf("batched=%v", batched), func(b *testing.B) {
			s := openTest(b, b.TempDir())
			burst := 0
			for b.Loop() {
				burst++
				writeAll := func(write func(ctx context.Context, i int) error) {
					each := func(ctx context.Context) {
						for i := range 200 {
							if err := write(ctx, i); err != nil {
								b.Fatal(err)
							}
						}
					}
					if !batched {
						each(ctx)
						return
					}
					if err := s.Batch(ctx, each); err != nil {
						b.Fatal(err)
					}
				}
				id := func(i int) string { return fmt.Sprintf("run-%d-%d", burst, i) }
				writeAll(func(ctx context.Context, i int) error {
					_, err := s.StartRun(ctx, Run{RepoKey: "bench", IssueID: fmt.Sprintf("B-%d", i), ID: id(i)})
					return err
				})
				writeAll(func(ctx context.Context, i int) error { return s.SetRunAgent(ctx, "bench", id(i), 1000+i, 1) })
			}
		})
	}
}

// Writes reuse one prepared statement per statement text, alone or in a batch, however many
// runs they write.
func TestWritesReuseTheirPreparedStatements(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i := range 50 {
		if _, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i", ID: fmt.Sprintf("alone-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Batch(ctx, func(ctx context.Context) {
		for i := range 50 {
			if _, err := s.StartRun(ctx, Run{RepoKey: "web", IssueID: "i", ID: fmt.Sprintf("batched-%d", i)}); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	prepared := 0
	s.stmts.Range(func(any, any) bool { prepared++; return true })
	if prepared != 1 {
		t.Fatalf("100 run starts left %d prepared statements, want 1", prepared)
	}
	runs, err := s.Runs(ctx, RunFilter{})
	if err != nil || len(runs) != 100 {
		t.Fatalf("%d runs stored (%v), want 100", len(runs), err)
	}
}
