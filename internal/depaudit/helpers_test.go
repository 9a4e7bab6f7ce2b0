package depaudit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// testRepo is a real git repository in t.TempDir with a "main" branch.
type testRepo struct {
	t   *testing.T
	dir string
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	testenv.Git(r.t, r.dir, "init", "-q", "-b", "main")
	return r
}

// commit writes files (path -> content; empty content deletes) and commits them.
func (r *testRepo) commit(msg string, files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == "" {
			testenv.Git(r.t, r.dir, "rm", "-q", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		testenv.Git(r.t, r.dir, "add", "--", name)
	}
	testenv.Git(r.t, r.dir, "commit", "-q", "--allow-empty", "-m", msg)
}

// branch creates and checks out a branch at the current commit.
func (r *testRepo) branch(name string) { testenv.Git(r.t, r.dir, "checkout", "-q", "-b", name) }
