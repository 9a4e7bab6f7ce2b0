package sandbox_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/symphony-go/symphony/internal/sandbox"
)

func TestMountPointCandidates(t *testing.T) {
	root := t.TempDir()
	src, ws, home := filepath.Join(root, "src"), filepath.Join(root, "ws"), filepath.Join(root, "home")
	gitDir := filepath.Join(src, ".git", "worktrees", "W")
	for _, d := range []string{ws, home, gitDir, filepath.Join(src, ".git", "hooks")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(t *testing.T, in sandbox.Input) []string {
		t.Helper()
		in.Workspace, in.Home, in.SessionDir = ws, home, filepath.Join(root, "state", "session")
		in.GitMetadataRoots = []string{gitDir, filepath.Join(src, ".git")}
		pol, err := sandbox.Resolve(in)
		if err != nil {
			t.Fatal(err)
		}
		return pol.MountPointCandidates()
	}
	cases := []struct {
		name         string
		in           sandbox.Input
		want, absent []string
	}{
		{
			name: "codex under srt",
			in:   sandbox.Input{Runtime: sandbox.RuntimeCodex, Permissions: sandbox.Permissions{OuterSandbox: sandbox.OuterSandbox{Runtime: sandbox.OuterSRT}}},
			want: []string{
				filepath.Join(ws, "WORKFLOW.md"), filepath.Join(ws, "symphony.yml"), filepath.Join(ws, ".codex"),
				// Symphony's nested entry, srt's own nested entry, and the directory above both.
				filepath.Join(ws, ".claude", "settings.json"), filepath.Join(ws, ".claude", "commands"), filepath.Join(ws, ".claude"),
				filepath.Join(ws, ".gitmodules"), filepath.Join(ws, ".vscode"),
				// A linked worktree's config in the primary clone, which git never makes.
				filepath.Join(gitDir, "config"), filepath.Join(src, ".git", "hooks"),
			},
			absent: []string{
				ws, filepath.Join(home, ".bashrc"), filepath.Join(home, ".config"),
				// Claude Code's own names.
				filepath.Join(ws, ".claude", "skills"), filepath.Join(ws, ".git", "config.lock"),
				// Only existing ones are denied: a placeholder breaks git.
				filepath.Join(src, ".git", "packed-refs"),
				// The session's own directory is removed whole.
				filepath.Join(root, "state", "session", "home", "auth.json"),
			},
		},
		{
			name: "claude",
			in:   sandbox.Input{Runtime: sandbox.RuntimeClaude},
			want: []string{
				filepath.Join(ws, "WORKFLOW.md"), filepath.Join(ws, ".claude", "agents"), filepath.Join(ws, ".claude"), filepath.Join(ws, ".idea"),
				filepath.Join(gitDir, "config"), filepath.Join(ws, ".claude", "skills"), filepath.Join(ws, ".git", "config.lock"),
			},
			absent: []string{ws, gitDir, filepath.Join(home, ".bashrc"), "~/.bashrc"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := resolve(t, c.in)
			for _, p := range c.want {
				if !slices.Contains(got, p) {
					t.Errorf("candidates lack %s", p)
				}
			}
			for _, p := range c.absent {
				if slices.Contains(got, p) {
					t.Errorf("candidates hold %s", p)
				}
			}
		})
	}
}
