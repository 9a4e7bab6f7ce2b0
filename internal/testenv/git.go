package testenv

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

// gitFixtureEnv replaces every GIT_ variable a fixture step would inherit (a test run from a
// git hook inherits GIT_DIR and GIT_INDEX_FILE, which would point every step at the project's
// own repository): a fixed author and committer so commits need no user configuration, no
// system or global git configuration (a credential helper, a default branch, hooks on the
// machine running the tests) so a fixture is the same everywhere, and no prompt, which no one
// would answer.
var gitFixtureEnv = []string{
	"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
	"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
	"GIT_TERMINAL_PROMPT=0",
}

// gitStepTimeout bounds one fixture step. Git on a repository in t.TempDir answers in well under
// a second, so a step still running after this is waiting on something (a lock, a hook) and
// fails the test instead of hanging it until go test's own timeout.
const gitStepTimeout = time.Minute

// Git runs git in dir as a test's fixture step (see GitOutput) and fails the test with git's
// output when it fails.
func Git(t testing.TB, dir string, args ...string) {
	t.Helper()
	runGit(t, dir, args)
}

// GitOutput runs git in dir as a test's fixture step, with a fixed author and committer and
// none of the machine's git configuration, and returns its standard output without the
// surrounding white space; it fails the test with git's output when git fails.
func GitOutput(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(runGit(t, dir, args))
}

func runGit(t testing.TB, dir string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), gitStepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(withoutGitVariables(os.Environ()), gitFixtureEnv...)
	// git runs helpers of its own (upload-pack for a local clone, hooks); the timeout kills them
	// all as one group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s in %s: %v\n%s%s", strings.Join(args, " "), dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

func withoutGitVariables(env []string) []string {
	kept := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GIT_") {
			kept = append(kept, kv)
		}
	}
	return kept
}

// LinkedWorktree makes a repository base/main with one empty commit on branch trunk and a
// linked worktree of it at base/wt on branch issue-1, and returns both paths with symlinks
// resolved: the shape of a worktree workspace, whose git metadata lives in the primary clone.
func LinkedWorktree(t testing.TB, base string) (primary, linked string) {
	t.Helper()
	primary = filepath.Join(base, "main")
	if err := os.Mkdir(primary, 0o755); err != nil {
		t.Fatal(err)
	}
	Git(t, primary, "init", "-q", "-b", "trunk")
	Git(t, primary, "commit", "-q", "--allow-empty", "-m", "init")
	linked = filepath.Join(base, "wt")
	Git(t, primary, "worktree", "add", "-q", linked, "-b", "issue-1")
	for _, p := range []*string{&primary, &linked} {
		resolved, err := filepath.EvalSymlinks(*p)
		if err != nil {
			t.Fatal(err)
		}
		*p = resolved
	}
	return primary, linked
}
