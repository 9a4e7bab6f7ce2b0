package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeStartCommand returns the README's "Set up" start command split at "&&" into argument
// lists, each without its leading "go run ./cmd/symphony".
func readmeStartCommand(t *testing.T, readme string) [][]string {
	t.Helper()
	const goRun = "go run ./cmd/symphony "
	for _, line := range strings.Split(readme, "\n") {
		if !strings.HasPrefix(line, "    "+goRun) {
			continue
		}
		var cmds [][]string
		for _, part := range strings.Split(strings.TrimSpace(line), "&&") {
			part = strings.TrimSpace(part)
			if !strings.HasPrefix(part, goRun) {
				t.Fatalf("README start command %q: every part must run %q", line, goRun)
			}
			cmds = append(cmds, strings.Fields(strings.TrimPrefix(part, goRun)))
		}
		return cmds
	}
	t.Fatalf("README has no indented line starting with %q", goRun)
	return nil
}

// TestReadmeStartCommandLeavesCheckoutClean runs the README's start command in a fresh copy of
// the repository, with a fake codex that fails every session, and checks that no tracked file
// changed and nothing new appeared in the copy.
func TestReadmeStartCommandLeavesCheckoutClean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary and copies the repository")
	}
	src := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(src, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeStartCommand(t, string(readme))
	if len(cmds) != 2 || len(cmds[0]) == 0 || cmds[0][0] != "init" {
		t.Fatalf("README start command = %q, want `init ... && --config ...`", cmds)
	}
	// The demo directory the README names is replaced by a private one.
	demo := flagValue(t, cmds[0], "--dir")
	private := filepath.Join(t.TempDir(), "symphony-demo")
	for _, c := range cmds {
		for i := range c {
			c[i] = strings.ReplaceAll(c[i], demo, private)
		}
	}

	repo := copyRepo(t, src)
	bin := filepath.Join(t.TempDir(), "symphony")
	runIn(t, repo, "go", "build", "-o", bin, "./cmd/symphony")

	fakeBin := t.TempDir()
	fakeCodex := "#!/bin/sh\necho 'fake codex: no model in this test' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(fakeBin, "codex"), []byte(fakeCodex), 0o755); err != nil {
		t.Fatal(err)
	}
	// A Codex login in a private home lets the start-up checks pass, as after `codex login`.
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".codex"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".codex", "auth.json"), []byte(`{"OPENAI_API_KEY": "not-a-real-key"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+home,
		"XDG_STATE_HOME="+t.TempDir(), "SYMPHONY_STATE_ROOT=", "SYMPHONY_LOGS_ROOT=")

	initCmd := exec.Command(bin, cmds[0]...)
	initCmd.Dir, initCmd.Env = repo, env
	if out, err := initCmd.CombinedOutput(); err != nil {
		t.Fatalf("%q: %v\n%s", cmds[0], err, out)
	}

	// The service runs until interrupted; give it a few polls, then stop it as Ctrl-C would.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serve := exec.CommandContext(ctx, bin, cmds[1]...)
	serve.Dir, serve.Env = repo, env
	var out bytes.Buffer
	serve.Stdout, serve.Stderr = &out, &out
	serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	serve.Cancel = func() error { return syscall.Kill(-serve.Process.Pid, syscall.SIGKILL) }
	serve.WaitDelay = 10 * time.Second
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-serve.Process.Pid, syscall.SIGKILL) })
	time.Sleep(4 * time.Second)
	if err := syscall.Kill(-serve.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Fatalf("%q: %v\n%s", cmds[1], err, out.String())
	}
	if !strings.Contains(out.String(), "DEMO-1") {
		t.Fatalf("the service never picked up the demo issue:\n%s", out.String())
	}
	if status := runIn(t, repo, "git", "status", "--porcelain", "--untracked-files=all"); status != "" {
		t.Fatalf("the README start command changed the checkout:\n%s\nservice output:\n%s", status, out.String())
	}
}

func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	t.Fatalf("%q has no %s", args, name)
	return ""
}

// copyRepo copies the working tree's tracked and unignored files (uncommitted edits included)
// into a new repository with one commit, so the test sees what a fresh clone of this change
// would hold.
func copyRepo(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	files := runIn(t, src, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimRight(files, "\x00"), "\x00") {
		info, err := os.Lstat(filepath.Join(src, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	runIn(t, dst, "git", "init", "-q")
	runIn(t, dst, "git", "add", "-A")
	runIn(t, dst, "git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "copy")
	return dst
}

func runIn(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %q in %s: %v\n%s", name, args, dir, err, stderr)
	}
	return string(out)
}

// TestReadmeCommandTableNamesRealCommandsAndFlags checks every command the README's command
// table shows, and every flag it gives them, against the command tree.
func TestReadmeCommandTableNamesRealCommandsAndFlags(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Commands\n")
	if !ok {
		t.Fatal("README has no ## Commands section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	root := newRootCmd(&Globals{})
	checked := 0
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `symphony") {
			continue
		}
		cell := strings.Split(line, " | ")[0]
		for i, part := range strings.Split(cell, "`") {
			if i%2 == 0 || strings.TrimSpace(part) == "" {
				continue
			}
			words := strings.Fields(strings.TrimPrefix(part, "symphony"))
			var path []string
			for _, w := range words {
				if strings.ContainsAny(w[:1], "-[") || strings.ToUpper(w) == w {
					break
				}
				path = append(path, w)
			}
			cmd, rest, err := root.Find(path)
			if err != nil || len(rest) != 0 || (len(path) > 0 && cmd.Name() != path[len(path)-1]) {
				t.Errorf("README names `symphony %s`, which is not a command (%v)", strings.Join(path, " "), err)
				continue
			}
			for _, w := range words {
				name, isFlag := strings.CutPrefix(strings.Trim(w, "[]"), "--")
				if !isFlag {
					continue
				}
				name, _, _ = strings.Cut(name, "=")
				if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil && root.PersistentFlags().Lookup(name) == nil {
					t.Errorf("README gives `symphony %s` the flag --%s, which it does not take", strings.Join(path, " "), name)
				}
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d commands in the README's table", checked)
	}
}
