package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMountPointsSweep(t *testing.T) {
	type layout func(t *testing.T, ws, outside string)
	mkdir := func(p string) layout {
		return func(t *testing.T, ws, _ string) { mustMkdir(t, filepath.Join(ws, p)) }
	}
	write := func(p, content string) layout {
		return func(t *testing.T, ws, _ string) { mustWrite(t, filepath.Join(ws, p), content, 0o644) }
	}
	readOnly := func(p, content string) layout {
		return func(t *testing.T, ws, _ string) { mustWrite(t, filepath.Join(ws, p), content, 0o444) }
	}
	// placeholder makes an empty file as bubblewrap makes a mount point.
	placeholder := func(p string) layout { return readOnly(p, "") }
	cases := []struct {
		name       string
		candidates []string // relative to the workspace
		before     []layout // made before Record
		during     []layout // made between Record and Sweep, as the runtime or the agent would
		removed    []string
		kept       []string
	}{
		{
			name:       "empty file and empty directory",
			candidates: []string{"WORKFLOW.md", ".vscode"},
			during:     []layout{placeholder("WORKFLOW.md"), mkdir(".vscode")},
			removed:    []string{"WORKFLOW.md", ".vscode"},
		},
		{
			name:       "placeholders inside a placeholder directory, children first",
			candidates: []string{".claude", ".claude/commands", ".claude/settings.json"},
			during:     []layout{mkdir(".claude"), mkdir(".claude/commands"), placeholder(".claude/settings.json")},
			removed:    []string{".claude/commands", ".claude/settings.json", ".claude"},
		},
		{
			name:       "content is kept, and the directory holding it",
			candidates: []string{"symphony.yml", ".idea", ".claude", ".claude/agents"},
			during:     []layout{readOnly("symphony.yml", "x"), mkdir(".idea"), placeholder(".idea/x"), mkdir(".claude"), mkdir(".claude/agents"), placeholder(".claude/notes")},
			removed:    []string{".claude/agents"},
			kept:       []string{"symphony.yml", ".idea", ".idea/x", ".claude", ".claude/notes"},
		},
		{
			name:       "an empty path that existed before Record is kept",
			candidates: []string{"WORKFLOW.md", ".vscode"},
			before:     []layout{placeholder("WORKFLOW.md"), mkdir(".vscode")},
			kept:       []string{"WORKFLOW.md", ".vscode"},
		},
		{
			name:       "an empty file that is not a mount point is kept",
			candidates: []string{".git/config.lock", "mise.toml", "symphony.yml"},
			before:     []layout{mkdir(".git")},
			during: []layout{write(".git/config.lock", ""), placeholder("mise.toml"), func(t *testing.T, ws, outside string) {
				mustWrite(t, filepath.Join(ws, "symphony.yml"), "", 0o444)
				if err := os.Link(filepath.Join(ws, "symphony.yml"), filepath.Join(outside, "link")); err != nil {
					t.Fatal(err)
				}
			}},
			removed: []string{"mise.toml"},
			kept:    []string{".git/config.lock", "symphony.yml"},
		},
		{
			name:       "a symlink is kept and not followed",
			candidates: []string{".gitconfig", ".idea"},
			during: []layout{func(t *testing.T, ws, outside string) {
				mustWrite(t, filepath.Join(outside, "empty"), "", 0o444)
				mustMkdir(t, filepath.Join(outside, "dir"))
				mustSymlink(t, filepath.Join(outside, "empty"), filepath.Join(ws, ".gitconfig"))
				mustSymlink(t, filepath.Join(outside, "dir"), filepath.Join(ws, ".idea"))
			}},
			kept: []string{".gitconfig", ".idea", "../outside/empty", "../outside/dir"},
		},
		{
			name:       "a symlink among the missing directories is not followed",
			candidates: []string{".claude", ".claude/commands"},
			during: []layout{func(t *testing.T, ws, outside string) {
				mustMkdir(t, filepath.Join(outside, "commands"))
				mustSymlink(t, outside, filepath.Join(ws, ".claude"))
			}},
			kept: []string{".claude", "../outside/commands"},
		},
		{
			name:       "a directory that existed at Record and was replaced is not swept",
			candidates: []string{".git/worktrees/w/config"},
			before:     []layout{mkdir(".git/worktrees/w")},
			during: []layout{func(t *testing.T, ws, _ string) {
				if err := os.Rename(filepath.Join(ws, ".git/worktrees/w"), filepath.Join(ws, ".git/worktrees/old")); err != nil {
					t.Fatal(err)
				}
				mustMkdir(t, filepath.Join(ws, ".git/worktrees/w"))
				mustWrite(t, filepath.Join(ws, ".git/worktrees/w/config"), "", 0o444)
			}},
			kept: []string{".git/worktrees/w/config"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			ws, outside := filepath.Join(root, "ws"), filepath.Join(root, "outside")
			mustMkdir(t, ws)
			mustMkdir(t, outside)
			for _, l := range c.before {
				l(t, ws, outside)
			}
			var candidates []string
			for _, p := range c.candidates {
				candidates = append(candidates, filepath.Join(ws, p))
			}
			m := NewMountPoints(candidates, "")
			m.Record()
			for _, l := range c.during {
				l(t, ws, outside)
			}
			removed, err := m.Sweep()
			if err != nil {
				t.Fatalf("Sweep: %v", err)
			}
			var want []string
			for _, p := range c.removed {
				want = append(want, filepath.Join(ws, p))
			}
			if !slices.Equal(removed, want) {
				t.Errorf("removed %q, want %q", removed, want)
			}
			for _, p := range c.removed {
				if _, err := os.Lstat(filepath.Join(ws, p)); err == nil {
					t.Errorf("%s is still there", p)
				}
			}
			for _, p := range c.kept {
				if _, err := os.Lstat(filepath.Join(ws, p)); err != nil {
					t.Errorf("%s was removed: %v", p, err)
				}
			}
			if again, _ := m.Sweep(); len(again) != 0 {
				t.Errorf("a second Sweep removed %q", again)
			}
		})
	}
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, p, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	// WriteFile's permission is masked by the umask.
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// A session whose service was killed never sweeps; the record it kept beside the workspace lock
// lets the next session in the workspace remove what its sandbox left, before its own starts.
// Only paths that are candidates now are taken, whatever the record names, and only the first
// Record of a session sweeps the file.
func TestMountPointsRecordOutlivesAKilledService(t *testing.T) {
	ws, outside := t.TempDir(), t.TempDir()
	record := filepath.Join(t.TempDir(), "ws.mountpoints")
	candidates := []string{filepath.Join(ws, "WORKFLOW.md"), filepath.Join(ws, ".vscode")}
	first := NewMountPoints(candidates, record)
	if err := first.Record(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(record); err != nil {
		t.Fatalf("no record kept: %v", err)
	}
	// The sandbox makes its mount points and is killed with its service: no Sweep.
	mustWrite(t, filepath.Join(ws, "WORKFLOW.md"), "", 0o444)
	mustMkdir(t, filepath.Join(ws, ".vscode"))
	// The record names something else too, as a damaged one might.
	stray := filepath.Join(outside, "stray")
	mustWrite(t, stray, "", 0o444)
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(outside)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(info)
	tampered := append(data[:len(data)-1:len(data)-1], fmt.Sprintf(`,{"path":%q,"anchor":%q,"dir":{"dev":%d,"ino":%d}}]`, stray, outside, id.Dev, id.Ino)...)
	if err := os.WriteFile(record, tampered, 0o600); err != nil {
		t.Fatal(err)
	}

	next := NewMountPoints(candidates, record)
	if err := next.Record(); err != nil {
		t.Fatal(err)
	}
	for _, p := range candidates {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s, left by the killed session's sandbox, survived the next Record", p)
		}
	}
	if _, err := os.Lstat(stray); err != nil {
		t.Errorf("a path the record named but no candidate was removed: %v", err)
	}
	// Both candidates were absent again, so the new session's record names them.
	if _, err := os.Stat(record); err != nil {
		t.Fatalf("the next session keeps no record: %v", err)
	}
	// A later Record of the same session leaves what its own earlier turn made alone: that
	// turn's process was not known to be gone, or Sweep would have run.
	mustWrite(t, filepath.Join(ws, "WORKFLOW.md"), "", 0o444)
	if err := next.Record(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(ws, "WORKFLOW.md")); err != nil {
		t.Errorf("a second Record of one session swept its own earlier mount point: %v", err)
	}
	if _, err := next.Sweep(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Errorf("Sweep left the record: %v", err)
	}
}
