package workspace

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestMain isolates git from the machine: no system or user config, a fixed identity.
func TestMain(m *testing.M) {
	if os.Getenv(lockHolderEnv) != "" {
		os.Exit(holdLockUntilStdinCloses())
	}
	home, err := os.MkdirTemp("", "workspace-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Symphony Test",
		"GIT_AUTHOR_EMAIL":    "test@example.invalid",
		"GIT_COMMITTER_NAME":  "Symphony Test",
		"GIT_COMMITTER_EMAIL": "test@example.invalid",
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// gitFixture is a bare origin with main and develop branches and an operator's primary clone.
type gitFixture struct {
	origin, primary string
	// writer is a second clone used to push new commits to origin after the primary cloned.
	writer string
}

func newGitFixture(t *testing.T) gitFixture {
	t.Helper()
	testenv.Tool(t, "git")
	base := t.TempDir()
	f := gitFixture{origin: filepath.Join(base, "origin.git"), primary: filepath.Join(base, "primary"),
		writer: filepath.Join(base, "writer")}
	testenv.Git(t, base, "init", "--quiet", "--bare", "-b", "main", f.origin)
	testenv.Git(t, base, "clone", "--quiet", f.origin, f.writer)
	writeFile(t, filepath.Join(f.writer, "README.md"), "main\n")
	testenv.Git(t, f.writer, "add", "README.md")
	testenv.Git(t, f.writer, "commit", "--quiet", "-m", "initial")
	testenv.Git(t, f.writer, "push", "--quiet", "origin", "main")
	testenv.Git(t, f.writer, "checkout", "--quiet", "-b", "develop")
	writeFile(t, filepath.Join(f.writer, "develop.txt"), "develop v1\n")
	testenv.Git(t, f.writer, "add", "develop.txt")
	testenv.Git(t, f.writer, "commit", "--quiet", "-m", "develop v1")
	testenv.Git(t, f.writer, "push", "--quiet", "origin", "develop")
	testenv.Git(t, base, "clone", "--quiet", f.origin, f.primary)
	return f
}

// pushDevelop adds a commit to origin/develop that the primary clone has not fetched.
func (f gitFixture) pushDevelop(t *testing.T, content string) string {
	t.Helper()
	writeFile(t, filepath.Join(f.writer, "develop.txt"), content)
	testenv.Git(t, f.writer, "commit", "--quiet", "-am", "develop update")
	testenv.Git(t, f.writer, "push", "--quiet", "origin", "develop")
	return testenv.GitOutput(t, f.writer, "rev-parse", "HEAD")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is a workspace root beside an "outside" directory that must never be touched.
type testEnv struct {
	dir, root, outside string
	logs               *syncBuffer
}

func newTestEnv(t *testing.T) testEnv {
	t.Helper()
	dir := t.TempDir()
	e := testEnv{dir: dir, root: filepath.Join(dir, "root"), outside: filepath.Join(dir, "outside"), logs: &syncBuffer{}}
	if err := os.MkdirAll(e.outside, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.outside, "precious.txt"), "keep me\n")
	return e
}

func (e testEnv) options(repos ...Repo) Options {
	return Options{
		Root:   e.root,
		Repos:  repos,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func (e testEnv) manager(t *testing.T, opts Options) *Manager {
	t.Helper()
	m, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// outsideSnapshot lists everything under the test directory except the root, so tests can
// prove hostile input changed nothing outside it.
func (e testEnv) outsideSnapshot(t *testing.T) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == e.root || strings.HasPrefix(p, e.root+string(filepath.Separator)) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %s %d", p, info.Mode(), info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func iss(repoKey, identifier string) issue.Issue {
	return issue.Issue{ID: "id-" + identifier, Identifier: identifier, RepoKey: repoKey}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %s", code)
	}
	if got := CodeOf(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
}

func isDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}
