package gitprobe

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// gitFindsRepository is the real answer: git rev-parse exits 128 where it finds none.
func gitFindsRepository(t *testing.T, dir string) bool {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", "--git-dir")
	cmd.Dir = dir
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 128 {
		return false
	}
	if err != nil {
		t.Fatalf("git rev-parse in %s: %v", dir, err)
	}
	return true
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	dir := filepath.Join(parts...)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every case is checked against git itself, so the probe can only answer "no repository"
// where git finds none; the cases where a repository is near but not at the directory
// (a parent work tree, a bare repository, a worktree's gitfile, a symlink into a work
// tree) are the ones a careless probe gets wrong.
func TestNoRepositoryAgreesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_DIR", "")
	if err := os.Unsetenv("GIT_DIR"); err != nil {
		t.Fatal(err)
	}
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if gitFindsRepository(t, base) {
		t.Skipf("the temporary directory %s is itself inside a git repository", base)
	}
	plain := mkdir(t, base, "plain", "deep")
	// An empty .git directory is no git directory: git looks past it, and so does the probe.
	strayDotGit := mkdir(t, base, "stray", "inside")
	mkdir(t, base, "stray", ".git")
	// A .git directory with a HEAD is one.
	headDotGit := mkdir(t, base, "withhead", "inside")
	mkdir(t, base, "withhead", ".git")
	if err := os.WriteFile(filepath.Join(base, "withhead", ".git", "HEAD"), []byte("ref: refs/heads/trunk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := mkdir(t, base, "repo")
	testenv.Git(t, repo, "init", "-q", "-b", "trunk")
	testenv.Git(t, repo, "commit", "-q", "--allow-empty", "-m", "init")
	inRepo := mkdir(t, repo, "sub", "dir")
	worktree := filepath.Join(base, "wt")
	testenv.Git(t, repo, "worktree", "add", "-q", worktree, "-b", "issue-1")
	bare := filepath.Join(base, "bare.git")
	testenv.Git(t, base, "init", "-q", "--bare", bare)
	inBare := mkdir(t, bare, "workspaces", "x")
	link := filepath.Join(mkdir(t, base, "links"), "into-repo")
	if err := os.Symlink(inRepo, link); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		dir  string
		want bool
	}{
		{"plain directory", plain, true},
		{"below an empty .git directory", strayDotGit, true},
		{"below a .git directory with a HEAD", headDotGit, false},
		{"work tree root", repo, false},
		{"directory inside a work tree", inRepo, false},
		{"linked worktree (gitfile)", worktree, false},
		{"directory inside a bare repository", inBare, false},
		{"symlink into a work tree", link, false},
		{"missing directory", filepath.Join(base, "missing"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := NoRepository(c.dir)
			if got != c.want {
				t.Fatalf("NoRepository(%s) = %v, want %v", c.dir, got, c.want)
			}
			if got && gitFindsRepository(t, c.dir) {
				t.Fatalf("NoRepository(%s) = true, but git finds a repository there", c.dir)
			}
		})
	}
}

func BenchmarkNoRepository(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		NoRepository(dir)
	}
}
