package review

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

func TestCommittedWork(t *testing.T) {
	testenv.Tool(t, "git")
	root := t.TempDir()
	origin, ws := filepath.Join(root, "origin.git"), filepath.Join(root, "ws")
	testenv.Git(t, root, "init", "-q", "--bare", "-b", "trunk", origin)
	testenv.Git(t, root, "clone", "-q", origin, ws)
	testenv.Git(t, ws, "checkout", "-q", "-b", "trunk")
	os.WriteFile(filepath.Join(ws, "a.txt"), []byte("one\n"), 0o644)
	testenv.Git(t, ws, "add", "a.txt")
	testenv.Git(t, ws, "commit", "-qm", "seed")
	testenv.Git(t, ws, "push", "-q", "origin", "trunk")
	testenv.Git(t, ws, "remote", "set-head", "origin", "trunk")
	testenv.Git(t, ws, "checkout", "-q", "-b", "auto/ENG-1")
	os.WriteFile(filepath.Join(ws, "a.txt"), []byte("one\ntwo\n"), 0o644)
	testenv.Git(t, ws, "commit", "-qam", "work")

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
