package sshworker

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// sessionWithSandboxTemp makes session directory name under root recording the sandbox temp
// dir temp, which holds a directory a command left unwritable, with a file in it.
func sessionWithSandboxTemp(t *testing.T, root, name, temp string) string {
	t.Helper()
	dir := filepath.Join(root, name)
	locked := filepath.Join(temp, "claude-1000", "locked")
	if err := os.MkdirAll(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(locked, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(locked, 0o700) })
	if err := os.WriteFile(filepath.Join(dir, SandboxTempFile), []byte(temp+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func assertGone(t *testing.T, what string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived %s: %v", p, what, err)
		}
	}
}

// Removing a session removes the sandbox temp dir it records, even one holding a directory
// without write permission; a session without one is removed as before.
func TestRemoveSessionRemovesItsSandboxTemp(t *testing.T) {
	installFakeSSH(t)
	root, temps := t.TempDir(), t.TempDir()
	dir := sessionWithSandboxTemp(t, root, "claude-a", filepath.Join(temps, SandboxTempPrefix+"claude-a"))
	plain := filepath.Join(root, "codex-b")
	if err := os.MkdirAll(filepath.Join(plain, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, plain} {
		remove, err := RemoveSessionCommand(d)
		if err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := runRemoteOutput(t, remove); code != 0 {
			t.Fatalf("remove %s exited %d: %s%s", d, code, out, errOut)
		}
	}
	assertGone(t, "the removal", dir, plain, filepath.Join(temps, SandboxTempPrefix+"claude-a"))
	if _, err := RemoveSessionCommand("relative"); err == nil {
		t.Error("RemoveSessionCommand accepted a relative path")
	}
}

// A record naming a directory that is not the session's own sandbox temp dir is refused: the
// directory it names and the session directory, which keeps the record, are left alone.
func TestSandboxTempRecordOfAnotherDirIsRefused(t *testing.T) {
	installFakeSSH(t)
	root, temps := t.TempDir(), t.TempDir()
	for _, named := range []string{
		filepath.Join(temps, "precious"),
		filepath.Join(temps, SandboxTempPrefix+"claude-other"),
		temps + "/x/../" + SandboxTempPrefix + "claude-a",
	} {
		if err := os.MkdirAll(named, 0o700); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "claude-a")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, SandboxTempFile), []byte(named), 0o600); err != nil {
			t.Fatal(err)
		}
		remove, err := RemoveSessionCommand(dir)
		if err != nil {
			t.Fatal(err)
		}
		if code, _, _ := runRemoteOutput(t, remove); code == 0 {
			t.Errorf("record %s: the removal succeeded", named)
		}
		reap, err := ReapSessionsCommand(root)
		if err != nil {
			t.Fatal(err)
		}
		if code, out, _ := runRemoteOutput(t, reap); code != 0 || out != "0 1\n" {
			t.Errorf("record %s: reap exited %d printing %q, want 0 and \"0 1\" (removed, kept)", named, code, out)
		}
		for _, p := range []string{named, dir} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("record %s: %s was removed: %v", named, p, err)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}

// The reap after a crash removes the sandbox temp dirs of the sessions it removes.
func TestReapRemovesSandboxTemps(t *testing.T) {
	installFakeSSH(t)
	root, temps := filepath.Join(t.TempDir(), "sessions"), t.TempDir()
	a := sessionWithSandboxTemp(t, root, "claude-a", filepath.Join(temps, SandboxTempPrefix+"claude-a"))
	b := sessionWithSandboxTemp(t, root, "claude-b", filepath.Join(temps, SandboxTempPrefix+"claude-b"))
	reap, err := ReapSessionsCommand(root)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runRemoteOutput(t, reap); code != 0 || out != "2 0\n" {
		t.Fatalf("reap exited %d printing %q (%s), want 0 and \"2 0\"", code, out, errOut)
	}
	assertGone(t, "the reap", a, b, filepath.Join(temps, SandboxTempPrefix+"claude-a"), filepath.Join(temps, SandboxTempPrefix+"claude-b"))
}
