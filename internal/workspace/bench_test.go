package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

func BenchmarkKey(b *testing.B) {
	for _, id := range []string{"ENG-12345", "team/ENG 12345"} {
		b.Run(id, func(b *testing.B) {
			for b.Loop() {
				Key(id)
			}
		})
	}
}

// BenchmarkEnsureReuse is the per-dispatch cost once a workspace exists: containment checks,
// a touch, and for worktrees one `git worktree list` (fetch disabled).
func BenchmarkEnsureReuse(b *testing.B) {
	b.Run("clone", func(b *testing.B) {
		root := filepath.Join(b.TempDir(), "root")
		m, err := New(Options{Root: root, Repos: []Repo{{Key: "web"}}})
		if err != nil {
			b.Fatal(err)
		}
		benchEnsure(b, m)
	})
	b.Run("worktree", func(b *testing.B) {
		dir := b.TempDir()
		primary := filepath.Join(dir, "primary")
		testenv.Git(b, dir, "init", "--quiet", "-b", "main", primary)
		testenv.Git(b, primary, "commit", "--quiet", "--allow-empty", "-m", "initial")
		m, err := New(Options{Root: filepath.Join(dir, "root"),
			Repos: []Repo{{Key: "web", Strategy: StrategyWorktree, PrimaryClone: primary}}})
		if err != nil {
			b.Fatal(err)
		}
		benchEnsure(b, m)
	})
}

func benchEnsure(b *testing.B, m *Manager) {
	ctx := b.Context()
	if _, err := m.Ensure(ctx, iss("web", "ENG-1")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ws, err := m.Ensure(ctx, iss("web", "ENG-1")); err != nil || ws.CreatedNow {
			b.Fatalf("Ensure = %+v, %v", ws, err)
		}
	}
}

// BenchmarkInventory1000 scans a root holding 1000 workspaces, as startup cleanup does.
func BenchmarkInventory1000(b *testing.B) {
	root := filepath.Join(b.TempDir(), "root")
	for i := range 1000 {
		if err := os.MkdirAll(filepath.Join(root, "web", fmt.Sprintf("ENG-%d", i)), 0o700); err != nil {
			b.Fatal(err)
		}
	}
	m, err := New(Options{Root: root, Repos: []Repo{{Key: "web"}}, Cleanup: Cleanup{Enabled: true, MaxAgeDays: 14}})
	if err != nil {
		b.Fatal(err)
	}
	owners := fakeOwners{}
	for b.Loop() {
		entries, err := m.Inventory(b.Context(), owners, nil, false)
		if err != nil || len(entries) != 1000 {
			b.Fatalf("Inventory = %d entries, %v", len(entries), err)
		}
	}
}
