package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestGitOutputIsTrimmedStandardOutputWithTheFixedIdentity(t *testing.T) {
	Tool(t, "git")
	dir := t.TempDir()
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "commit", "-q", "--allow-empty", "-m", "seed")
	if got := GitOutput(t, dir, "log", "-1", "--format=%an <%ae> / %cn <%ce>"); got != "t <t@example.com> / t <t@example.com>" {
		t.Errorf("GitOutput(log) = %q, want the fixed author and committer on one trimmed line", got)
	}
	// git checkout reports the switch on stderr only: the output is what a caller parses, so
	// it must not carry that report.
	if got := GitOutput(t, dir, "checkout", "-b", "other"); got != "" {
		t.Errorf("GitOutput(checkout) = %q, want the empty standard output, not git's report on stderr", got)
	}
}

func TestGitIgnoresTheMachinesConfiguration(t *testing.T) {
	Tool(t, "git")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[fixture]\n\tleak = from-home\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	dir := t.TempDir()
	Git(t, dir, "init", "-q")
	if got := GitOutput(t, dir, "config", "--list", "--show-origin"); strings.Contains(got, "from-home") || strings.Contains(got, "/etc/gitconfig") {
		t.Errorf("fixture git read the machine's configuration:\n%s", got)
	}
}

func TestGitIgnoresInheritedGitVariables(t *testing.T) {
	Tool(t, "git")
	elsewhere := t.TempDir()
	Git(t, elsewhere, "init", "-q")
	// What a test run from a git hook inherits: every step would act on the hook's repository.
	t.Setenv("GIT_DIR", filepath.Join(elsewhere, ".git"))
	t.Setenv("GIT_WORK_TREE", elsewhere)
	dir := t.TempDir()
	Git(t, dir, "init", "-q")
	if got := GitOutput(t, dir, "rev-parse", "--absolute-git-dir"); got != filepath.Join(dir, ".git") {
		t.Errorf("fixture git used the repository %s, want the one in %s", got, dir)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the goroutine, as
// the real one does, so a test can check that a helper fails the test that called it.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestGitFailsTheTestWithGitsOutput(t *testing.T) {
	Tool(t, "git")
	dir := t.TempDir()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Git(rec, dir, "rev-parse", "--verify", "no-such-revision")
		t.Error("Git returned after git failed")
	}()
	<-done
	for _, want := range []string{"git rev-parse --verify no-such-revision in " + dir, "not a git repository"} {
		if !strings.Contains(rec.msg, want) {
			t.Errorf("failure message %q does not contain %q", rec.msg, want)
		}
	}
}
