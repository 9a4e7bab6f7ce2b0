package agent

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkGitMetadataRootsFreshWorkspace is a session start in a new workspace that is no
// git repository: the cache has no answer for it yet.
func BenchmarkGitMetadataRootsFreshWorkspace(b *testing.B) {
	root := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		ws := filepath.Join(root, strconv.Itoa(i))
		if err := os.Mkdir(ws, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if roots := GitMetadataRoots(context.Background(), ws); len(roots) != 1 {
			b.Fatalf("roots = %q, want only the workspace's .git", roots)
		}
	}
}
