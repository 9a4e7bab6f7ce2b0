package prompt

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, rel, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGuideImportsResolveInsideTheWorkspace(t *testing.T) {
	ws := t.TempDir()
	writeFile(t, ws, "CLAUDE.md", "Top rules.\n@docs/style.md\n```\n@not/an/import.md\n```\n@missing.md\n")
	writeFile(t, ws, "docs/style.md", "Style guide.\n@../shared.md\n@style.md\n")
	writeFile(t, ws, "shared.md", "Shared bits.\n")
	got, err := projectConventions(ws, []string{"CLAUDE.md", "absent.md"})
	if err != nil {
		t.Fatal(err)
	}
	want := "## Project conventions\n\n### CLAUDE.md\n\nTop rules.\nStyle guide.\nShared bits.\n(docs/style.md is already included above)\n```\n@not/an/import.md\n```\n(imported file missing.md was not found)"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestGuideSectionOmittedWhenNoGuideExists(t *testing.T) {
	got, err := projectConventions(t.TempDir(), []string{"CLAUDE.md", "AGENTS.md"})
	if err != nil || got != "" {
		t.Fatalf("got %q, %v; want nothing", got, err)
	}
}

func TestGuideEscapesAreRejected(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", "TOP SECRET")
	tests := []struct {
		name, guide, want string
		setup             func(t *testing.T, ws string)
	}{
		{"absolute import", "@/etc/passwd\n", "absolute paths are not allowed", nil},
		{"home import", "@~/.ssh/id_rsa\n", "home-relative paths are not allowed", nil},
		{"parent import", "@../../etc/passwd\n", "leaves the workspace", nil},
		{"nested parent import", "@docs/../../x.md\n", "leaves the workspace", nil},
		{"symlink file escape", "@link.md\n", "escapes", func(t *testing.T, ws string) {
			if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(ws, "link.md")); err != nil {
				t.Fatal(err)
			}
		}},
		{"symlink dir escape", "@out/secret.txt\n", "escapes", func(t *testing.T, ws string) {
			if err := os.Symlink(outside, filepath.Join(ws, "out")); err != nil {
				t.Fatal(err)
			}
		}},
		{"depth bound", "@d1.md\n", "deeper than", func(t *testing.T, ws string) {
			for i := 1; i <= maxGuideDepth+1; i++ {
				writeFile(t, ws, "d"+strconv.Itoa(i)+".md", "@d"+strconv.Itoa(i+1)+".md\n")
			}
			writeFile(t, ws, "d"+strconv.Itoa(maxGuideDepth+2)+".md", "bottom\n")
		}},
		{"file bound", "", "more than", func(t *testing.T, ws string) {
			var b strings.Builder
			for i := range maxGuideFiles + 1 {
				writeFile(t, ws, "f"+strconv.Itoa(i)+".md", "x\n")
				b.WriteString("@f" + strconv.Itoa(i) + ".md\n")
			}
			writeFile(t, ws, "CLAUDE.md", b.String())
		}},
		{"byte bound", "@big.md\n", "exceed", func(t *testing.T, ws string) {
			writeFile(t, ws, "big.md", strings.Repeat("x", maxGuideBytes))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := t.TempDir()
			if tt.guide != "" {
				writeFile(t, ws, "CLAUDE.md", tt.guide)
			}
			if tt.setup != nil {
				tt.setup(t, ws)
			}
			got, err := projectConventions(ws, []string{"CLAUDE.md"})
			if !errors.Is(err, ErrProjectGuide) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want project_guide_error containing %q", err, tt.want)
			}
			if strings.Contains(got, "TOP SECRET") {
				t.Fatal("outside content leaked")
			}
		})
	}
}

func TestGuideFileEntriesAreChecked(t *testing.T) {
	for _, entry := range []string{"/abs/CLAUDE.md", "~/CLAUDE.md", "../CLAUDE.md"} {
		if _, err := projectConventions(t.TempDir(), []string{entry}); !errors.Is(err, ErrProjectGuide) {
			t.Errorf("entry %q: err = %v, want project_guide_error", entry, err)
		}
	}
}
