package sshworker

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
)

// localRun runs a remote argv with this machine's sh, as a host's login shell would after
// ssh; uploads counts the calls that carried stdin.
func localRun(uploads *atomic.Int32) RunFunc {
	return func(ctx context.Context, remote []string, stdin io.Reader) ([]byte, error) {
		if stdin != nil {
			uploads.Add(1)
		}
		out, code, stderr, err := sshdtest.RunLocally(ctx, remote, stdin)
		if err != nil {
			return out, &CommandError{Host: "local", ExitCode: code, Stderr: stderr}
		}
		return out, nil
	}
}

// The copy is named by its content's hash, executable, identical to the local file; a second
// install finds it and uploads nothing; a damaged copy is replaced.
func TestInstallExecutable(t *testing.T) {
	local := filepath.Join(t.TempDir(), "symphony")
	if err := os.WriteFile(local, []byte("#!/bin/sh\necho installed\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bin")
	var uploads atomic.Int32
	run := localRun(&uploads)
	got, err := InstallExecutable(t.Context(), run, local, dir, "symphony")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(got) != dir || !strings.HasPrefix(filepath.Base(got), "symphony-") || len(filepath.Base(got)) != len("symphony-")+hashPrefixLen {
		t.Fatalf("installed as %s", got)
	}
	out, err := exec.Command(got).Output()
	if err != nil || string(out) != "installed\n" {
		t.Fatalf("running the copy: %q, %v", out, err)
	}
	if fi, _ := os.Stat(got); fi.Mode().Perm() != 0o755 {
		t.Errorf("copy mode %v, want 0755", fi.Mode().Perm())
	}
	if again, err := InstallExecutable(t.Context(), run, local, dir, "symphony"); err != nil || again != got || uploads.Load() != 1 {
		t.Fatalf("second install: %s, %v after %d uploads; want the same path and one upload", again, err, uploads.Load())
	}
	if err := os.WriteFile(got, []byte("damaged"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallExecutable(t.Context(), run, local, dir, "symphony"); err != nil || uploads.Load() != 2 {
		t.Fatalf("damaged copy: %v after %d uploads, want it uploaded again", err, uploads.Load())
	}
	if data, _ := os.ReadFile(got); !strings.Contains(string(data), "echo installed") {
		t.Errorf("damaged copy not replaced: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("install directory holds %d entries, want only the copy (no temporary files)", len(entries))
	}
	if _, err := InstallExecutable(t.Context(), run, local, "relative/bin", "symphony"); err == nil {
		t.Error("a relative install directory was accepted")
	}
}

// A host of another platform than the one the executable is built for is refused before
// anything is copied, naming both platforms.
func TestInstallRefusesAnotherPlatform(t *testing.T) {
	local := filepath.Join(t.TempDir(), "symphony")
	if err := os.WriteFile(local, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bin")
	var uploads atomic.Int32
	_, err := installFor(t.Context(), localRun(&uploads), local, dir, "symphony", "plan9/mips")
	if err == nil || !strings.Contains(err.Error(), "built for plan9/mips") || uploads.Load() != 0 {
		t.Fatalf("install on another platform: %v after %d uploads; want a refusal and no upload", err, uploads.Load())
	}
	for uname, want := range map[string]string{"Linux x86_64": "linux/amd64", "Darwin arm64": "darwin/arm64"} {
		if err := checkPlatform([]byte("motd\n"+markerPlatform+uname+"\n"), want); err != nil {
			t.Errorf("%s as %s: %v", uname, want, err)
		}
	}
	if err := checkPlatform([]byte("motd only\n"), "linux/amd64"); err == nil {
		t.Error("a host that reported no platform was accepted")
	}
}
