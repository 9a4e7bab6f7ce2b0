package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		status     Status
		detail     string
	}{
		{"existing directory", dir, StatusOK, dir + " is writable"},
		{"not created yet", filepath.Join(dir, "a", "b"), StatusOK, "will be created (" + dir + " is writable)"},
		// A file standing in for a parent directory fails for every user, root included,
		// unlike a chmod 0555 directory.
		{"parent is a file", filepath.Join(file, "ws"), StatusFail, "cannot be created: " + file + " is a file, not a directory"},
		{"path is a file", file, StatusFail, file + " is not a directory"},
		{"unset", "", StatusFail, "no directory is configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkWritable(tt.path, "the fix")
			if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) {
				t.Fatalf("got %+v, want %s containing %q", got, tt.status, tt.detail)
			}
			if got.Status == StatusFail && got.Fix != "the fix" {
				t.Fatalf("fix = %q", got.Fix)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("the checks left something behind in %s: %v %v", dir, entries, err)
	}
}

func TestCheckDisk(t *testing.T) {
	root := filepath.Join(t.TempDir(), "workspaces")
	free := func(n uint64) func(string) (uint64, error) {
		return func(string) (uint64, error) { return n, nil }
	}
	tests := []struct {
		name      string
		free      uint64
		guard     uint64
		status    Status
		transient bool
		detail    string
	}{
		{"plenty without guard", 10 << 30, 0, StatusOK, false, "10.0GiB free"},
		{"plenty above guard", 10 << 30, 1 << 30, StatusOK, false, "guard at 1.0GiB"},
		{"low without guard", 100 << 20, 0, StatusWarn, false, "only 100.0MiB free"},
		{"below guard", 100 << 20, 200 << 20, StatusFail, true, "below workspaces.cleanup.min_free_bytes (200.0MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkDisk(root, tt.guard, free(tt.free))
			if got.Status != tt.status || got.Transient != tt.transient || !strings.Contains(got.Detail, tt.detail) {
				t.Fatalf("got %+v, want %s (transient %v) containing %q", got, tt.status, tt.transient, tt.detail)
			}
		})
	}
	broken := checkDisk(root, 0, func(string) (uint64, error) { return 0, os.ErrPermission })
	if broken.Status != StatusWarn || !strings.Contains(broken.Detail, "cannot be measured") {
		t.Fatalf("unmeasurable: %+v", broken)
	}
	real := checkDisk(root, 0, statfsFreeBytes)
	if real.Status == StatusFail || !strings.Contains(real.Detail, "free on") {
		t.Fatalf("statfs: %+v", real)
	}
}
