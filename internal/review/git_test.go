package review

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitT(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestCommittedWork(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	origin, ws := filepath.Join(root, "origin.git"), filepath.Join(root, "ws")
	gitT(t, root, "init", "-q", "--bare", "-b", "trunk", origin)
	gitT(t, root, "clone", "-q", origin, ws)
	gitT(t, ws, "checkout", "-q", "-b", "trunk")
	os.WriteFile(filepath.Join(ws, "a.txt"), []byte("one\n"), 0o644)
	gitT(t, ws, "add", "a.txt")
	gitT(t, ws, "commit", "-qm", "seed")
	gitT(t, ws, "push", "-q", "origin", "trunk")
	gitT(t, ws, "remote", "set-head", "origin", "trunk")
	gitT(t, ws, "checkout", "-q", "-b", "auto/ENG-1")
	os.WriteFile(filepath.Join(ws, "a.txt"), []byte("one\ntwo\n"), 0o644)
	gitT(t, ws, "commit", "-qam", "work")

	c, err := CommittedWork(context.Background(), ws, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Base != "origin/trunk" || c.MergeBase == "" || c.Head == c.MergeBase || !strings.Contains(c.Diff, "+two") || strings.Contains(c.Diff, "+one") {
		t.Fatalf("committed work %+v", c)
	}
	m := &Machine{}
	if !m.Due(c.Head, c.MergeBase) {
		t.Fatal("a commit past the merge base is not due for review")
	}
	if _, err := CommittedWork(context.Background(), ws, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "origin/no-such-branch") {
		t.Fatalf("missing base branch: %v", err)
	}
}
