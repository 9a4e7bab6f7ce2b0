package sandbox_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestSRTGitInLinkedWorktree checks the srt git write model on a real linked worktree: staging
// and committing work, while rewriting the shared config or installing a hook does not.
func TestSRTGitInLinkedWorktree(t *testing.T) {
	srt := testenv.SRT(t)
	for _, tool := range []string{"bwrap", "socat", "rg", "git"} {
		testenv.Tool(t, tool)
	}
	root := t.TempDir()
	src, ws, home, state := filepath.Join(root, "src"), filepath.Join(root, "ws", "GIT-1"), filepath.Join(root, "home"), filepath.Join(root, "state")
	for _, d := range []string{src, home, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	git := func(dir string, args ...string) {
		run(t, dir, "git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	}
	git(src, "init", "-q", "-b", "main")
	git(src, "commit", "-q", "--allow-empty", "-m", "root")
	git(src, "worktree", "add", "-q", "-b", "GIT-1", ws)

	pol, err := sandbox.Resolve(sandbox.Input{
		Runtime: sandbox.RuntimeCodex, Workspace: ws, Home: home, SessionDir: state,
		GitMetadataRoots: []string{filepath.Join(src, ".git", "worktrees", "GIT-1"), filepath.Join(src, ".git")},
		Permissions:      sandbox.Permissions{OuterSandbox: sandbox.OuterSandbox{Runtime: sandbox.OuterSRT, Command: srt}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := pol.WriteSRTSettings(state, srtTempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Close() }()

	script := strings.Join([]string{
		"export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com",
		"echo work > file.txt",
		"git add file.txt && git commit -q -m work && echo COMMIT-OK",
		"git config alias.pwn '!echo pwned' && echo CONFIG-WRITTEN",
		"echo 'echo pwned' > " + filepath.Join(src, ".git", "hooks", "pre-commit") + " && echo HOOK-WRITTEN",
		"true",
	}, "; ")
	argv, err := sess.Launch(script)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "HOME="+home, "TMPDIR="+state)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("srt run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "COMMIT-OK") {
		t.Errorf("git add/commit failed in a linked worktree under srt:\n%s", out)
	}
	for _, bad := range []string{"CONFIG-WRITTEN", "HOOK-WRITTEN"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("%s under srt:\n%s", bad, out)
		}
	}
	if fileHas(filepath.Join(src, ".git", "config"), "pwn") {
		t.Error("the shared git config gained an alias")
	}
}
