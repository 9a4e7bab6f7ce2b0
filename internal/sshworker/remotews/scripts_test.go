package remotews

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// runLockPrimary runs lock_primary on primary as the scripts do, with PATH set to path, and
// returns its exit status and stderr.
func runLockPrimary(t *testing.T, primary, path string) (int, string) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	cmd := exec.Command(sh, "-c", lockPrimaryScript+`lock_primary "$1" 1; echo locked`, "symphony-test", primary)
	cmd.Env = []string{"PATH=" + path, "HOME=" + t.TempDir()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		if strings.TrimSpace(string(out)) != "locked" {
			t.Fatalf("lock_primary succeeded without going on: %q", out)
		}
		return 0, stderr.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), stderr.String()
	}
	t.Fatal(err)
	return 0, ""
}

// binWith is a PATH directory holding git and the given fake programs only.
func binWith(t *testing.T, fakes map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(git, filepath.Join(dir, "git")); err != nil {
		t.Fatal(err)
	}
	for name, script := range fakes {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newClone(t *testing.T) string {
	t.Helper()
	testenv.Tool(t, "git")
	primary := filepath.Join(t.TempDir(), "primary")
	testenv.Git(t, filepath.Dir(primary), "init", "--quiet", "-b", "main", primary)
	return primary
}

// A host whose flock cannot wait with a timeout gets a clear refusal (exit 11), never a
// mkdir lock that a service holding flock(2) on the same clone would not see.
func TestLockPrimaryRefusesAHostWithoutAUsableFlock(t *testing.T) {
	primary := newClone(t)
	for name, path := range map[string]string{
		"no flock":         binWith(t, nil),
		"flock without -w": binWith(t, map[string]string{"flock": `echo "flock: invalid option -- 'w'" >&2; exit 1`}),
	} {
		t.Run(name, func(t *testing.T) {
			code, stderr := runLockPrimary(t, primary, path)
			if code != exitNoFlock || !strings.Contains(stderr, "flock") {
				t.Fatalf("lock_primary = exit %d (%q), want %d explaining flock is needed", code, stderr, exitNoFlock)
			}
		})
	}
	host, err := sshworker.ParseHost("w1")
	if err != nil {
		t.Fatal(err)
	}
	m := &Manager{host: host}
	err = m.scriptError("preparing workspace /ws/app/A-1", &sshworker.CommandError{Host: "w1", ExitCode: exitNoFlock})
	if workspace.CodeOf(err) != workspace.CodeGitFailed {
		t.Fatalf("exit %d maps to %v, want %s", exitNoFlock, err, workspace.CodeGitFailed)
	}
}

// Agents can write the git common directory; a lock name they turned into a symlink is
// refused, and neither the file it points to nor a missing one it names is touched.
func TestLockPrimaryRefusesASymlinkedLockFile(t *testing.T) {
	primary := newClone(t)
	lock := filepath.Join(primary, ".git", workspace.PrimaryLockName)
	victim := filepath.Join(t.TempDir(), "victim")
	for name, prepare := range map[string]func(){
		"to a file":         func() { writeTestFile(t, victim, "precious\n") },
		"to a missing file": func() {},
	} {
		t.Run(name, func(t *testing.T) {
			_ = os.Remove(victim)
			_ = os.Remove(lock)
			prepare()
			if err := os.Symlink(victim, lock); err != nil {
				t.Fatal(err)
			}
			before, beforeErr := os.ReadFile(victim)
			code, stderr := runLockPrimary(t, primary, os.Getenv("PATH"))
			if code != exitFilesystem || !strings.Contains(stderr, "not a regular file") {
				t.Fatalf("lock_primary through a symlink = exit %d (%q), want %d", code, stderr, exitFilesystem)
			}
			after, afterErr := os.ReadFile(victim)
			if string(before) != string(after) || (beforeErr == nil) != (afterErr == nil) {
				t.Fatalf("the symlink's target changed: %q (%v) -> %q (%v)", before, beforeErr, after, afterErr)
			}
		})
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
