package cli

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/verification"
	"github.com/symphony-go/symphony/internal/verification/verificationtest"
	"github.com/symphony-go/symphony/internal/workflow"
)

// freePortPair finds two consecutive ports nothing listens on.
func freePortPair(t *testing.T) int {
	t.Helper()
	for base := 42000 + os.Getpid()%15000; base < 64000; base += 11 {
		free := true
		for _, p := range []int{base, base + 1} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no two free ports")
	return 0
}

// TestLiveVerifierRunsTheRepositoryDevServerOnItsPort: the repository's dev server (from its
// WORKFLOW.md settings) starts on the allocated port, a third concurrent run finds the
// two-port range exhausted, and Close leaves no server and no allocation.
func TestLiveVerifierRunsTheRepositoryDevServerOnItsPort(t *testing.T) {
	server := verificationtest.Server(t)
	t.Cleanup(verificationtest.Remove)
	first := freePortPair(t)
	dev := workflow.DefaultSettings().Verification.DevServer
	dev.StartCmd = "exec " + server
	dev.HealthCheckURL = "http://127.0.0.1:${SYMPHONY_VERIFICATION_PORT}/health"
	dev.HealthTimeoutMs, dev.StopTimeoutMs = 10000, 2000
	cfg := &config.Config{Verification: workflow.Verification{Enabled: true, PortAllocation: workflow.PortAllocation{Range: []int{first, first + 1}}}}
	repo := config.Repository{Key: "app"}
	repo.Settings.Verification.DevServer = dev
	cfg.Repositories = []config.Repository{repo}
	st, err := store.Open(context.Background(), store.Options{StateRoot: t.TempDir(), Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v := &liveVerifier{configs: config.NewStore(cfg, os.LookupEnv, slog.New(slog.DiscardHandler)), store: st, logger: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	is := issue.Issue{ID: "id-1", Identifier: "ENG-1", RepoKey: "app"}
	a, err := v.Acquire(ctx, "run-1", is)
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Acquire(ctx, "run-2", is)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := v.Acquire(ctx, "run-3", is); !verification.Exhausted(err) {
		t.Fatalf("third run: %v, want the range exhausted", err)
	}
	if got := a.Env()[verification.PortEnv]; got != strconv.Itoa(first) {
		t.Fatalf("first run's port %q, want %d", got, first)
	}
	ws := t.TempDir()
	if err := a.StartServer(ctx, ws); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(ws, "server.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid <= 0 {
		t.Fatal("the dev server did not start in the workspace")
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	held, _ := st.PortAllocations(ctx)
	if len(held) != 2 || held[0].ServerPID != pid {
		t.Fatalf("allocations %+v, want the first to name the dev server %d", held, pid)
	}
	a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("dev server %d outlived Close", pid)
	}
	if held, _ := st.PortAllocations(ctx); len(held) != 1 || held[0].RunID != "run-2" {
		t.Errorf("allocations after Close %+v, want only run-2's", held)
	}
}
