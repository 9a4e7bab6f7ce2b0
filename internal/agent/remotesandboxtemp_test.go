package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// uniqueSessionDir is a fresh session directory under a test's sessions root, with a name no
// other test run shares, since its sandbox temp dir may land in the shared /tmp.
func uniqueSessionDir(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(t.TempDir(), "sessions", "claude-"+hex.EncodeToString(b))
}

// envTMPDIR is TMPDIR after sourcing the session's env file, as the agent's launch does.
func envTMPDIR(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `TMPDIR=/elsewhere; . "$1/env"; printf %s "$TMPDIR"`, "sh", dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The sandbox temp dir goes in the host's TMPDIR when that is a short plain path, and in /tmp
// when it is too long for the runtime's sockets, holds characters the env file would have to
// quote, or is missing; the env file exports it, the session records it, and RemoveSession
// removes it with the session.
func TestCreateSandboxSessionDirMakesAndRemovesTemp(t *testing.T) {
	short, err := os.MkdirTemp("/tmp", "rst-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(short) })
	spaced := filepath.Join(short, "a b")
	if err := os.Mkdir(spaced, 0o700); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(t.TempDir(), strings.Repeat("l", sandbox.MaxRuntimeTempDirLen))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, tmpdir, wantRoot string }{
		{"short", short, short},
		{"too long", long, "/tmp"},
		{"needs quoting", spaced, "/tmp"},
		{"missing", filepath.Join(short, "gone"), "/tmp"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := uniqueSessionDir(t)
			t.Setenv("TMPDIR", c.tmpdir)
			want := filepath.Join(c.wantRoot, sshworker.SandboxTempPrefix+filepath.Base(dir))
			t.Cleanup(func() { _ = os.RemoveAll(want) })
			r := localRemote()
			if err := r.CreateSandboxSessionDir(context.Background(), dir, "export KEY='v'\n"); err != nil {
				t.Fatal(err)
			}
			if info, err := os.Stat(want); err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
				t.Fatalf("%s: %v, %v; want a 0700 directory", want, info, err)
			}
			if got := envTMPDIR(t, dir); got != want {
				t.Errorf("the env file's TMPDIR is %q, want %q", got, want)
			}
			if len(want) > sandbox.MaxRuntimeTempDirLen {
				t.Errorf("%s is longer than %d", want, sandbox.MaxRuntimeTempDirLen)
			}
			if err := os.MkdirAll(filepath.Join(want, "claude-1000", "claude-empty-x"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := r.RemoveSession(dir); err != nil {
				t.Fatalf("RemoveSession: %v", err)
			}
			for _, p := range []string{dir, want} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s after RemoveSession: %v", p, err)
				}
			}
		})
	}
}

// A sandbox temp dir that exists already is left alone, and the session directory made
// before it is removed again.
func TestCreateSandboxSessionDirLeavesATakenTempAlone(t *testing.T) {
	t.Setenv("TMPDIR", "/tmp")
	dir := uniqueSessionDir(t)
	taken := filepath.Join("/tmp", sshworker.SandboxTempPrefix+filepath.Base(dir))
	if err := os.Mkdir(taken, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(taken) })
	if err := os.WriteFile(filepath.Join(taken, "keep"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := localRemote().CreateSandboxSessionDir(context.Background(), dir, ""); CodeOf(err) != CodeWorkerHostUnavailable {
		t.Fatalf("a taken sandbox temp dir: %v, want a host failure", err)
	}
	if got, err := os.ReadFile(filepath.Join(taken, "keep")); err != nil || string(got) != "mine" {
		t.Errorf("the existing sandbox temp dir was touched: %q, %v", got, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the half-made session directory is still there: %v", err)
	}
	if err := localRemote().CreateSandboxSessionDir(context.Background(), filepath.Join(filepath.Dir(dir), "claude-$x"), ""); err == nil {
		t.Error("a session directory whose name would need quoting in the env file was accepted")
	}
}
