package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// shortTempRoot points os.TempDir at a fresh directory short enough for sandbox temp dirs.
func shortTempRoot(t *testing.T) string {
	t.Helper()
	root, err := os.MkdirTemp("", "sbx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = RemoveSandboxTempDir(root) })
	t.Setenv("TMPDIR", root)
	return root
}

func TestNewSandboxTempDirIsPrivateShortAndOwned(t *testing.T) {
	root := shortTempRoot(t)
	dir, err := NewSandboxTempDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != root {
		t.Errorf("sandbox temp dir %s is not in the system temp directory %s", dir, root)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("sandbox temp dir: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	if len(dir) > sandbox.MaxRuntimeTempDirLen {
		t.Errorf("%s is %d bytes, over the %d a runtime's sockets leave room for", dir, len(dir), sandbox.MaxRuntimeTempDirLen)
	}
	self, _ := reaper.Identify(os.Getpid())
	if owner, ok := sandboxTempOwner(filepath.Base(dir)); !ok || owner != self {
		t.Errorf("%s names owner %+v (%v), want this process %+v", dir, owner, ok, self)
	}
	if err := RemoveSandboxTempDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s survives RemoveSandboxTempDir: %v", dir, err)
	}
}

func TestNewSandboxTempDirFallsBackToTmpWhenTheTempDirIsTooLong(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("d", sandbox.MaxRuntimeTempDirLen))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	dir, err := NewSandboxTempDir()
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveSandboxTempDir(dir)
	if filepath.Dir(dir) != fallbackTempRoot {
		t.Errorf("sandbox temp dir %s, want it in %s when the temp directory is too long", dir, fallbackTempRoot)
	}
}

func TestReapSandboxTempDirsRemovesOnlyDeadOwners(t *testing.T) {
	root := shortTempRoot(t)
	live, err := NewSandboxTempDir()
	if err != nil {
		t.Fatal(err)
	}
	// This process's pid with another start time: an owner that is gone, whose pid was reused.
	dead := filepath.Join(root, fmt.Sprintf("%s%d-1-42", sandboxTempPrefix, os.Getpid()))
	// An agent command can leave a directory it cannot be emptied through.
	locked := filepath.Join(dead, "claude-0", "locked")
	if err := os.MkdirAll(filepath.Join(locked, "inner"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(root, sandboxTempPrefix+"not-an-owner")
	if err := os.Mkdir(foreign, 0o700); err != nil {
		t.Fatal(err)
	}
	removed, err := ReapSandboxTempDirs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(removed, dead) {
		t.Errorf("removed %q, want %s among them", removed, dead)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("dead owner's dir survives: %v", err)
	}
	for _, keep := range []string{live, foreign} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
}
