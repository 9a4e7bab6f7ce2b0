// Package testenv finds the real programs and reference files that integration tests drive
// (the pinned codex, claude and srt binaries, system tools, ../shared), with one rule everywhere:
// outside CI a missing part skips the test with a message naming it; with CI=true it fails,
// because a claim tested against a real part must never pass by default. It also runs the git
// fixture steps tests share (Git, GitOutput) and lists the files an agent left (Tree, Added).
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return strings.EqualFold(os.Getenv("CI"), "true") }

// Missing skips t, or fails it in CI, because what is not available.
func Missing(t testing.TB, what string) {
	t.Helper()
	const hint = "(npm ci; apt-get install bubblewrap socat ripgrep curl)"
	if InCI() {
		t.Fatalf("%s is required in CI but missing %s", what, hint)
	}
	t.Skipf("%s is missing %s; skipping", what, hint)
}

// ModuleRoot is the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
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

// File returns path when it exists, and otherwise reports it Missing.
func File(t testing.TB, what, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, what+" at "+path)
	}
	return path
}

// Tool returns the path of a program on PATH, or reports it Missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" on PATH")
	}
	return p
}

// Codex is the pinned codex binary: $SYMPHONY_CODEX_BIN, else node_modules/.bin/codex.
func Codex(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SYMPHONY_CODEX_BIN"); p != "" {
		return File(t, "codex binary (SYMPHONY_CODEX_BIN)", p)
	}
	return File(t, "codex binary", filepath.Join(ModuleRoot(t), "node_modules", ".bin", "codex"))
}

// SRT is the pinned srt binary, node_modules/.bin/srt.
func SRT(t testing.TB) string {
	t.Helper()
	return File(t, "srt binary", filepath.Join(ModuleRoot(t), "node_modules", ".bin", "srt"))
}

// Claude is the pinned Claude Code binary: $SYMPHONY_CLAUDE_BIN, else node_modules/.bin/claude.
func Claude(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SYMPHONY_CLAUDE_BIN"); p != "" {
		return File(t, "claude binary (SYMPHONY_CLAUDE_BIN)", p)
	}
	return File(t, "claude binary", filepath.Join(ModuleRoot(t), "node_modules", ".bin", "claude"))
}
