package agent

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// A linked worktree keeps its metadata in the main repository's .git, so both git dirs are
// roots; a directory that is no repository has only its own .git.
func TestGitMetadataRoots(t *testing.T) {
	realMain, linked := testenv.LinkedWorktree(t, t.TempDir())
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

// A known workspace runs no git (PATH without git still gets the cached answer), and a
// changed .git (a worktree link rewritten, a repository created) is asked about again.
func TestGitMetadataRootsAreCachedUntilDotGitChanges(t *testing.T) {
	_, linked := testenv.LinkedWorktree(t, t.TempDir())
	plain := t.TempDir()

	first := GitMetadataRoots(context.Background(), linked)
	if len(first) != 3 {
		t.Fatalf("linked worktree roots = %q, want 3", first)
	}
	path := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	// A directory in no repository needs no git even the first time.
	if got := GitMetadataRoots(context.Background(), plain); !slices.Equal(got, []string{filepath.Join(plain, ".git")}) {
		t.Fatalf("without git on PATH the plain directory got %q, want only its own .git", got)
	}
	if got := GitMetadataRoots(context.Background(), linked); !slices.Equal(got, first) {
		t.Fatalf("without git on PATH a known workspace got %q, want the cached %q", got, first)
	}

	// Rewriting the link (here to a bogus directory) must not be answered from the cache.
	if err := os.WriteFile(filepath.Join(linked, ".git"), []byte("gitdir: /nonexistent/worktrees/wt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := GitMetadataRoots(context.Background(), linked); len(got) != 1 {
		t.Fatalf("after the .git link changed (git not on PATH) roots = %q, want only the workspace's .git", got)
	}

	t.Setenv("PATH", path)
	testenv.Git(t, plain, "init", "-q", "-b", "trunk")
	if got := GitMetadataRoots(context.Background(), plain); len(got) < 2 {
		t.Fatalf("after git init the plain directory's roots = %q, want git's own dirs too", got)
	}
}
