package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// Two Managers on one primary clone stand for two services sharing it: their in-process
// mutexes are separate, so only the lock file keeps one's `git worktree prune` from
// removing the .git/worktrees directory the other's `git worktree add` is filling.
func TestTwoManagersOnOnePrimaryCloneAddAndRemoveWorktreesConcurrently(t *testing.T) {
	f := newGitFixture(t)
	repo := Repo{Key: "web", Strategy: StrategyWorktree, PrimaryClone: f.primary}
	// Without the lock file this failed in 5 of 6 runs under -race (20 rounds: 1 in 10).
	const rounds = 60
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for _, prefix := range []string{"A", "B"} {
		e := newTestEnv(t)
		m := e.manager(t, e.options(repo))
		wg.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("%s-%d", prefix, i)
				if _, err := m.Ensure(ctxT(t), iss("web", id)); err != nil {
					errs <- fmt.Errorf("Ensure %s: %w", id, err)
					continue
				}
				if err := m.Remove(ctxT(t), "web", "id-"+id, id); err != nil {
					errs <- fmt.Errorf("Remove %s: %w", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if list := testenv.GitOutput(t, f.primary, "worktree", "list", "--porcelain"); strings.Count(list, "worktree ") != 1 {
		t.Errorf("worktrees left registered:\n%s", list)
	}
	if branches := testenv.GitOutput(t, f.primary, "branch", "--list", "auto/*"); branches != "" {
		t.Errorf("auto/ branches left behind:\n%s", branches)
	}
}

// holdPrimaryLock takes the primary clone's lock file as another process would, writing
// holder text as Symphony does, and returns the release.
func holdPrimaryLock(t *testing.T, primary, holder string) (path string, release func()) {
	t.Helper()
	path = filepath.Join(primary, ".git", PrimaryLockName)
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := file.WriteString(holder + "\n"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { file.Close() }) }
	t.Cleanup(release)
	return path, release
}

// primaryLockFree reports whether nobody holds the lock file at path.
func primaryLockFree(t *testing.T, path string) bool {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	return syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

func TestHeldPrimaryLockMakesPrepareWaitThenFailNamingTheLockAndHolder(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.PrimaryLockTimeout = 300 * time.Millisecond
	m := e.manager(t, opts)
	path, release := holdPrimaryLock(t, f.primary, "held by an operator's maintenance script")

	start := time.Now()
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	waited := time.Since(start)
	wantCode(t, err, CodePrimaryCloneBusy)
	for _, want := range []string{path, "held by an operator's maintenance script", "300ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if waited < opts.PrimaryLockTimeout {
		t.Errorf("Ensure gave up after %s, before the %s wait", waited, opts.PrimaryLockTimeout)
	}
	if isDir(filepath.Join(e.root, "web", "ENG-1")) || branchExists(t, f.primary, "auto/ENG-1") {
		t.Error("Ensure touched the clone without its lock")
	}
	err = m.Remove(ctxT(t), "web", "id-ENG-1", "ENG-1")
	wantCode(t, err, CodePrimaryCloneBusy)

	release()
	if _, err := m.Ensure(ctxT(t), iss("web", "ENG-1")); err != nil {
		t.Fatalf("Ensure after the lock was let go: %v", err)
	}
	if !primaryLockFree(t, path) {
		t.Fatal("Ensure kept the primary clone's lock after it returned")
	}
	if holder := readFile(t, path); holder != "" {
		t.Errorf("the released lock still names a holder: %q", holder)
	}
}

func TestCancelledWaitForThePrimaryLockEndsAtOnce(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.PrimaryLockTimeout = time.Hour
	m := e.manager(t, opts)
	if _, err := m.Ensure(ctxT(t), iss("web", "ENG-1")); err != nil {
		t.Fatal(err)
	}
	holdPrimaryLock(t, f.primary, "held by a test")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Ensure(ctx, iss("web", "ENG-2"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Ensure with a cancelled context while the lock is held = %v, want it to end with %v", err, context.Canceled)
	}
}

// A git command killed when its context ends (here a fetch whose upload-pack hangs) gives
// the primary clone's lock back with the failure.
func TestKilledGitCommandReleasesThePrimaryLock(t *testing.T) {
	f := newGitFixture(t)
	testenv.Git(t, f.primary, "config", "remote.origin.uploadpack", "sleep 600; git-upload-pack")
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	path := filepath.Join(f.primary, ".git", PrimaryLockName)

	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() {
		_, err := m.Ensure(ctx, iss("web", "ENG-1"))
		done <- err
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(readFileIfPresent(path), "held by symphony pid") {
		if time.Now().After(deadline) {
			t.Fatal("Ensure never took the primary clone's lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		wantCode(t, err, CodeGitFailed)
	case <-time.After(20 * time.Second):
		t.Fatal("Ensure did not return after its context was cancelled")
	}
	if !primaryLockFree(t, path) {
		t.Fatal("the primary clone's lock is still held after the fetch was killed")
	}
}

func readFileIfPresent(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// Agents can write the git common directory; a lock name they turned into a symlink is
// refused, and the holder text is never written through it.
func TestSymlinkedPrimaryLockIsRefused(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	m := e.manager(t, e.options(worktreeRepo(f, Hooks{})))
	victim := filepath.Join(e.outside, "precious.txt")
	if err := os.Symlink(victim, filepath.Join(f.primary, ".git", PrimaryLockName)); err != nil {
		t.Fatal(err)
	}
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	wantCode(t, err, CodeFilesystem)
	if got := readFile(t, victim); got != "keep me\n" {
		t.Fatalf("the symlink's target was written: %q", got)
	}
}

// The wait for the primary clone's lock defaults to the git timeout, as
// docs/configuration.md says.
func TestPrimaryLockWaitDefaultsToTheGitTimeout(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	opts := e.options(worktreeRepo(f, Hooks{}))
	opts.GitTimeout = time.Second
	m := e.manager(t, opts)
	holdPrimaryLock(t, f.primary, "held by a test")
	_, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	wantCode(t, err, CodePrimaryCloneBusy)
	if !strings.Contains(err.Error(), "not free within 1s") {
		t.Fatalf("error %q does not give the git timeout as the wait", err)
	}
}

// docs/configuration.md names the lock file and the error code operators will meet; a rename
// here must mend it.
func TestConfigurationDocNamesThePrimaryLock(t *testing.T) {
	doc := readFile(t, filepath.Join("..", "..", "docs", "configuration.md"))
	for _, want := range []string{"`" + PrimaryLockName + "` in the clone's git common directory", "`" + CodePrimaryCloneBusy + "`", "within the git timeout"} {
		if !strings.Contains(strings.Join(strings.Fields(doc), " "), want) {
			t.Errorf("docs/configuration.md does not say %q", want)
		}
	}
}
