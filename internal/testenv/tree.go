package testenv

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

// Tree lists every entry below each root, by absolute path, directories with a trailing
// slash, without following symlinks: a test takes it before an agent runs in a workspace and
// compares it with Added afterwards.
func Tree(t testing.TB, roots ...string) []string {
	t.Helper()
	var out []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == root {
				return nil
			}
			if d.IsDir() {
				p += "/"
			}
			out = append(out, p)
			return nil
		})
		if err != nil {
			t.Fatalf("list %s: %v", root, err)
		}
	}
	slices.Sort(out)
	return out
}

// Added are the entries of after that before lacks.
func Added(before, after []string) []string {
	var out []string
	for _, p := range after {
		if _, found := slices.BinarySearch(before, p); !found {
			out = append(out, p)
		}
	}
	return out
}
