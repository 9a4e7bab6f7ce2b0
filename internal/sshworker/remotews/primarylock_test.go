package remotews_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// workspaces is what the concurrency test drives: a remote or a local manager.
type workspaces interface {
	Ensure(ctx context.Context, iss issue.Issue) (workspace.Workspace, error)
	Remove(ctx context.Context, repoKey, issueID, identifier string) error
}

func newPrimaryClone(t *testing.T) string {
	t.Helper()
	testenv.Tool(t, "git")
	primary := filepath.Join(t.TempDir(), "primary")
	testenv.Git(t, filepath.Dir(primary), "init", "--quiet", "-b", "main", primary)
	testenv.Git(t, primary, "commit", "--quiet", "--allow-empty", "-m", "first")
	return primary
}

// remoteOn is a manager of its own (its own workspaces.root and lock root, as another
// service's would be) on host.
func remoteOn(t *testing.T, fleet *sshdtest.Fleet, host *sshdtest.Host, opts workspace.Options) *remotews.Manager {
	t.Helper()
	h, err := sshworker.ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if opts.Root == "" {
		opts.Root = filepath.Join(t.TempDir(), "workspaces")
	}
	m, err := remotews.New(remotews.Options{Host: h, Transport: sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile},
		Workspaces: opts, LockRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Two services dispatching to one host (or two configured hosts that are one machine) each
// serialize their own scripts only, and a service on the host itself only its own git
// commands; the lock file on the host, which all three take, keeps one's `git worktree
// prune` from removing the .git/worktrees directory another's `git worktree add` is
// filling. The local service adds and removes worktrees for as long as the remote managers
// work: ssh's setup dominates each remote script, so without it the remote git commands
// seldom overlap (without the lock, under -race: 0 failures in 5 runs with the two remote
// managers alone, 7 in 9 with the local service beside them).
func TestServicesSharingAPrimaryCloneOnAHostAddAndRemoveWorktreesConcurrently(t *testing.T) {
	primary := newPrimaryClone(t)
	repo := workspace.Repo{Key: "app", Strategy: workspace.StrategyWorktree, PrimaryClone: primary}
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	errs := make(chan error, 3) // each worker stops at its first error
	work := func(m workspaces, prefix string, rounds int, until <-chan struct{}) {
		for n := 0; n < rounds || until != nil; n++ {
			select {
			case <-until:
				return
			default:
			}
			id := fmt.Sprintf("%s-%d", prefix, n)
			if _, err := m.Ensure(context.Background(), issue.Issue{ID: "id-" + id, Identifier: id, RepoKey: "app"}); err != nil {
				errs <- fmt.Errorf("Ensure %s: %w", id, err)
				return
			}
			if err := m.Remove(context.Background(), "app", "id-"+id, id); err != nil {
				errs <- fmt.Errorf("Remove %s: %w", id, err)
				return
			}
		}
	}
	const rounds = 30
	var remote sync.WaitGroup
	for _, prefix := range []string{"A", "B"} {
		m := remoteOn(t, fleet, host, workspace.Options{Repos: []workspace.Repo{repo}})
		remote.Go(func() { work(m, prefix, rounds, nil) })
	}
	local, err := workspace.New(workspace.Options{Root: filepath.Join(t.TempDir(), "workspaces"), Repos: []workspace.Repo{repo}})
	if err != nil {
		t.Fatal(err)
	}
	remoteDone := make(chan struct{})
	var onHost sync.WaitGroup
	onHost.Go(func() { work(local, "L", 0, remoteDone) })
	remote.Wait()
	close(remoteDone)
	onHost.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if list := testenv.GitOutput(t, primary, "worktree", "list", "--porcelain"); strings.Count(list, "worktree ") != 1 {
		t.Errorf("worktrees left registered:\n%s", list)
	}
}

func TestHeldPrimaryLockMakesTheHostsScriptsWaitThenFail(t *testing.T) {
	primary := newPrimaryClone(t)
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	m := remoteOn(t, fleet, host, workspace.Options{PrimaryLockTimeout: 500 * time.Millisecond,
		Repos: []workspace.Repo{{Key: "app", Strategy: workspace.StrategyWorktree, PrimaryClone: primary}}})
	ctx := context.Background()
	if _, err := m.Ensure(ctx, issue.Issue{ID: "x", Identifier: "ABC-1", RepoKey: "app"}); err != nil {
		t.Fatal(err)
	}

	// The lock a local service takes: the same file, found the same way.
	path := filepath.Join(primary, ".git", workspace.PrimaryLockName)
	file, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("the host's script left no lock file where a local service looks: %v", err)
	}
	defer file.Close()
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("the lock is still held after the script ended: %v", err)
	}
	if _, err := file.WriteString("held by an operator's maintenance script\n"); err != nil {
		t.Fatal(err)
	}

	for name, call := range map[string]func() error{
		"Ensure": func() error {
			_, err := m.Ensure(ctx, issue.Issue{ID: "y", Identifier: "ABC-2", RepoKey: "app"})
			return err
		},
		"EnsurePR": func() error {
			_, _, err := m.EnsurePR(ctx, issue.Issue{ID: "z", Identifier: "PR-3", RepoKey: "app"}, "main")
			return err
		},
		"Remove": func() error { return m.Remove(ctx, "app", "x", "ABC-1") },
	} {
		err := call()
		if workspace.CodeOf(err) != workspace.CodePrimaryCloneBusy {
			t.Fatalf("%s while the primary clone is locked = %v, want %s", name, err, workspace.CodePrimaryCloneBusy)
		}
		for _, want := range []string{path, "not free within 0.5s", "held by an operator's maintenance script"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s error %q does not name %q", name, err, want)
			}
		}
	}
	if list := testenv.GitOutput(t, primary, "worktree", "list", "--porcelain"); !strings.Contains(list, "ABC-1") || strings.Contains(list, "ABC-2") {
		t.Errorf("the scripts changed the clone without its lock:\n%s", list)
	}

	file.Close()
	if err := m.Remove(ctx, "app", "x", "ABC-1"); err != nil {
		t.Fatalf("Remove after the lock was let go: %v", err)
	}
}
