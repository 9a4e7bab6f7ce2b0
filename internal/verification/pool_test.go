package verification

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{StateRoot: dir, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func run(id string) store.PortAllocation {
	return store.PortAllocation{RunID: id, RepoKey: "app", IssueID: "id-" + id, IssueIdentifier: "ENG-" + id}
}

func TestTwoPortRangeMakesTheThirdRunWait(t *testing.T) {
	ctx := context.Background()
	first := freePorts(t, 2)
	pool, err := NewPool(openStore(t, t.TempDir()), first, first+1)
	if err != nil {
		t.Fatal(err)
	}
	a, errA := pool.Allocate(ctx, run("1"))
	b, errB := pool.Allocate(ctx, run("2"))
	if errA != nil || errB != nil || a != first || b != first+1 {
		t.Fatalf("first two runs got %d (%v) and %d (%v)", a, errA, b, errB)
	}
	if again, err := pool.Allocate(ctx, run("1")); err != nil || again != a {
		t.Fatalf("a run asking again got %d, %v; want its own port %d", again, err, a)
	}
	_, err = pool.Allocate(ctx, run("3"))
	var verr *Error
	if !errors.As(err, &verr) || verr.Code != CodeExhausted || !contains(err.Error(), "waits") {
		t.Fatalf("third run: %v, want verification_ports_exhausted saying the issue waits", err)
	}
	if err := pool.Release(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if c, err := pool.Allocate(ctx, run("3")); err != nil || c != first {
		t.Fatalf("after a release the third run got %d, %v", c, err)
	}
}

func TestPortsOtherProgramsUseAreSkipped(t *testing.T) {
	first := freePorts(t, 2)
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pool, err := NewPool(openStore(t, t.TempDir()), first, first+1)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := pool.Allocate(context.Background(), run("1")); err != nil || p != first+1 {
		t.Fatalf("got %d, %v; want %d since %d is busy", p, err, first+1, first)
	}
	_, err = pool.Allocate(context.Background(), run("2"))
	if err == nil || !contains(err.Error(), "1 by other programs") {
		t.Fatalf("exhaustion error %v does not count the busy port", err)
	}
}

// TestRestartKeepsAllocationsWhoseDevServerLives: after a restart, the allocation of a live
// dev server stays held and the one of a dead server is released.
func TestRestartKeepsAllocationsWhoseDevServerLives(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := freePorts(t, 2)
	st := openStore(t, dir)
	pool, _ := NewPool(st, first, first+1)
	live, err := pool.Allocate(ctx, run("live"))
	if err != nil {
		t.Fatal(err)
	}
	s := spec(t, "", 10*time.Second)
	s.Port = live
	srv, err := Start(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if err := pool.SetServer(ctx, "live", srv.PID()); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Allocate(ctx, run("dead")); err != nil {
		t.Fatal(err)
	}
	// The dead run's server was a process that has since exited.
	gone := spec(t, "", 10*time.Second)
	gone.Port = first + 1
	deadSrv, err := Start(ctx, gone)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.SetServer(ctx, "dead", deadSrv.PID()); err != nil {
		t.Fatal(err)
	}
	deadSrv.Stop()
	st.Close()

	restarted, _ := NewPool(openStore(t, dir), first, first+1)
	kept, err := restarted.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || kept[0].RunID != "live" || kept[0].Port != live {
		t.Fatalf("kept %+v, want only the live server's allocation", kept)
	}
	if p, err := restarted.Allocate(ctx, run("next")); err != nil || p != first+1 {
		t.Fatalf("the released port went to the next run? got %d, %v", p, err)
	}
}

func TestPoolRangeIsChecked(t *testing.T) {
	if _, err := NewPool(nil, 5000, 4000); err == nil || !contains(err.Error(), "port_allocation.range") {
		t.Fatalf("inverted range: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
