package workspace

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// lockHolderEnv (the workspace) and lockHolderRootEnv make the test binary a child that
// holds a workspace lock until its stdin closes.
const (
	lockHolderEnv     = "SYMPHONY_TEST_LOCK_HOLDER"
	lockHolderRootEnv = "SYMPHONY_TEST_LOCK_HOLDER_ROOT"
)

func holdLockUntilStdinCloses() int {
	l, err := LockWorkspace(os.Getenv(lockHolderRootEnv), os.Getenv(lockHolderEnv))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	// Exiting without Close: the kernel releases the lock with the process.
	_ = l.File()
	return 0
}

func lockDirs(t *testing.T) (root, ws string) {
	t.Helper()
	root = t.TempDir()
	ws = filepath.Join(root, "demo", "DEMO-1")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, ws
}

func wantLocked(t *testing.T, root, ws, holder string) {
	t.Helper()
	wantLockedNaming(t, root, ws, ws, holder)
}

// wantLockedNaming fails unless locking ws is refused as workspace_locked with an error that
// names the workspace as named and the holder.
func wantLockedNaming(t *testing.T, root, ws, named, holder string) {
	t.Helper()
	l, err := LockWorkspace(root, ws)
	if err == nil {
		l.Close()
		t.Fatalf("second lock of %s succeeded", ws)
	}
	if CodeOf(err) != CodeLocked || !strings.Contains(err.Error(), named) || !strings.Contains(err.Error(), holder) {
		t.Fatalf("second lock error = %v, want %s naming %s and %q", err, CodeLocked, named, holder)
	}
}

func mustLock(t *testing.T, root, ws string) *Lock {
	t.Helper()
	l, err := LockWorkspace(root, ws)
	if err != nil {
		t.Fatalf("lock %s: %v", ws, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestLockExcludesAnotherProcessUntilItExits(t *testing.T) {
	root, ws := lockDirs(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), lockHolderEnv+"="+ws, lockHolderRootEnv+"="+root)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	wantLocked(t, root, ws, "symphony pid "+strconv.Itoa(child.Process.Pid))
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	mustLock(t, root, ws)
}

func TestLockReleasedOnClose(t *testing.T) {
	root, ws := lockDirs(t)
	l := mustLock(t, root, ws)
	// flock conflicts between open files even within one process.
	wantLocked(t, root, ws, "symphony pid "+strconv.Itoa(os.Getpid()))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	mustLock(t, root, ws)
}

func TestLockStaleFileFromDeadProcessDoesNotBlock(t *testing.T) {
	root, ws := lockDirs(t)
	l := mustLock(t, root, ws)
	path := l.Path()
	l.Close()
	// What a SIGKILLed holder leaves: the file with its pid, but no flock.
	if err := os.WriteFile(path, []byte("held by symphony pid 999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	again := mustLock(t, root, ws)
	if again.Path() != path {
		t.Fatalf("lock path moved: %s then %s", path, again.Path())
	}
	data, _ := os.ReadFile(path)
	if want := "held by symphony pid " + strconv.Itoa(os.Getpid()); !strings.Contains(string(data), want) {
		t.Fatalf("lock file says %q, want %q", data, want)
	}
}

func TestLockStaysWhileAnInheritedDescriptorLives(t *testing.T) {
	root, ws := lockDirs(t)
	l := mustLock(t, root, ws)
	l.RecordAgent(4242)
	holder := exec.Command("sleep", "60")
	holder.ExtraFiles = []*os.File{l.File()}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	l.Close()
	wantLocked(t, root, ws, "agent supervisor pid 4242")
	holder.Process.Kill()
	holder.Wait()
	mustLock(t, root, ws)
}

func TestLockKeysByRealWorkspacePath(t *testing.T) {
	root, ws := lockDirs(t)
	other := filepath.Join(root, "demo", "DEMO-2")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(ws, link); err != nil {
		t.Fatal(err)
	}
	mustLock(t, root, ws)
	mustLock(t, root, other)
	wantLockedNaming(t, root, link, ws, "symphony pid")
	if _, err := os.Stat(filepath.Join(root, lockDirName)); err != nil {
		t.Fatalf("lock directory not beside the workspaces: %v", err)
	}
}

func TestManagerLockNamesTheIssueWorkspace(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web/app"}))
	l, err := m.Lock("web/app", "DEMO-7")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	path, _ := m.Path("web/app", "DEMO-7")
	wantLocked(t, m.Root(), path, "symphony pid")
	if _, err := m.Lock("web/app", "../DEMO-7"); err == nil || CodeOf(err) == CodeLocked {
		t.Fatalf("lock of a hostile identifier = %v, want a validation error", err)
	}
}

func TestRemoveWaitsForTheLockAndDeletesTheLockFile(t *testing.T) {
	e := newTestEnv(t)
	m := e.manager(t, e.options(Repo{Key: "web/app"}))
	ws, err := m.Ensure(ctxT(t), iss("web/app", "DEMO-8"))
	if err != nil {
		t.Fatal(err)
	}
	held, err := m.Lock("web/app", "DEMO-8")
	if err != nil {
		t.Fatal(err)
	}
	lockPath := held.Path()
	if err := m.Remove(ctxT(t), "web/app", "id-DEMO-8", "DEMO-8"); CodeOf(err) != CodeLocked {
		t.Fatalf("Remove of a locked workspace = %v, want %s", err, CodeLocked)
	}
	if _, err := os.Stat(ws.Path); err != nil {
		t.Fatalf("Remove deleted a workspace an agent holds: %v", err)
	}
	held.Close()
	if err := m.Remove(ctxT(t), "web/app", "id-DEMO-8", "DEMO-8"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{ws.Path, lockPath} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after Remove (%v)", p, err)
		}
	}
}

// A process that opened the lock file just before its workspace was removed can still win
// the flock, on the deleted file; it must not count that as holding the workspace.
func TestLockOnARemovedLockFileIsNotAHold(t *testing.T) {
	root, ws := lockDirs(t)
	first := mustLock(t, root, ws)
	late, err := os.OpenFile(first.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := flock(late, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("flock of the deleted file: %v", err)
	}
	if stillNamed(late, first.Path()) {
		t.Fatal("a lock on a deleted lock file counts as holding the workspace")
	}
	next := mustLock(t, root, ws)
	if !stillNamed(next.File(), next.Path()) {
		t.Fatal("a fresh lock does not name its own file")
	}
}

// The mount point record lives beside the lock, outside the workspace, and goes with it when
// the workspace is released.
func TestMountPointRecordSitsBesideTheLockAndGoesWithIt(t *testing.T) {
	root := t.TempDir()
	ws := filepath.Join(root, "app", "ENG-1")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := LockWorkspace(root, ws)
	if err != nil {
		t.Fatal(err)
	}
	record := l.MountPointRecordPath()
	if filepath.Dir(record) != filepath.Dir(l.Path()) || record == l.Path() {
		t.Fatalf("record %s, want a file of its own beside the lock %s", record, l.Path())
	}
	if err := os.WriteFile(record, []byte("[]"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{record, l.Path()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived Release: %v", p, err)
		}
	}
}
