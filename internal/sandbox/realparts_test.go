package sandbox_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// realPart returns path when it exists; otherwise it skips, or fails when CI=true, because a
// security claim must not pass by default.
func realPart(t *testing.T, what, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, what+" at "+path)
	}
	return path
}

func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" on PATH")
	}
	return p
}

func missing(t *testing.T, what string) {
	t.Helper()
	if strings.EqualFold(os.Getenv("CI"), "true") {
		t.Fatalf("%s is required in CI but missing (npm ci; apt-get install bubblewrap socat ripgrep)", what)
	}
	t.Skipf("%s is missing (npm ci; apt-get install bubblewrap socat ripgrep); skipping", what)
}

func srtBinary(t *testing.T) string {
	t.Helper()
	return realPart(t, "srt binary", filepath.Join(moduleRoot(t), "node_modules", ".bin", "srt"))
}
