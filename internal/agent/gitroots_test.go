package agent

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A linked worktree keeps its metadata in the main repository's .git, so both git dirs are
// roots; a directory that is no repository has only its own .git.
func TestGitMetadataRoots(t *testing.T) {
	base := t.TempDir()
	main := filepath.Join(base, "main")
	if err := os.Mkdir(main, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, main, "init", "-q", "-b", "trunk")
	runGit(t, main, "commit", "-q", "--allow-empty", "-m", "init")
	linked := filepath.Join(base, "wt")
	runGit(t, main, "worktree", "add", "-q", linked, "-b", "issue-1")
	linked, _ = filepath.EvalSymlinks(linked)
	realMain, _ := filepath.EvalSymlinks(main)
	plain := t.TempDir()

	cases := []struct {
		name      string
		workspace string
		want      []string
	}{
		{"linked worktree", linked, []string{filepath.Join(linked, ".git"), filepath.Join(realMain, ".git", "worktrees", "wt"), filepath.Join(realMain, ".git")}},
		{"not a repository", plain, []string{filepath.Join(plain, ".git")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := GitMetadataRoots(context.Background(), c.workspace)
			if !slices.Equal(got, c.want) {
				t.Fatalf("GitMetadataRoots(%s) = %q, want %q", c.workspace, got, c.want)
			}
		})
	}
}
