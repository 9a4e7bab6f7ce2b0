package codex

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// gitWritableRoots returns the workspace's .git plus git's --git-dir and --git-common-dir.
// Linked worktrees keep their metadata outside the workspace, and branch, commit and fetch
// must be able to write there. A workspace that is not a git repository yields just .git.
func GitMetadataRoots(ctx context.Context, workspace string) []string {
	roots := []string{filepath.Join(workspace, ".git")}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir")
	cmd.Dir = workspace
	setProcessGroup(cmd)
	killGroupOnCancel(cmd)
	out, err := cmd.Output()
	if err != nil {
		return roots
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			roots = append(roots, filepath.Clean(line))
		}
	}
	return roots
}

// turnSandboxPolicy copies the configured policy and, for workspaceWrite, makes sure the
// workspace and its git directories are writable roots.
func turnSandboxPolicy(policy map[string]any, workspace string, gitRoots []string) map[string]any {
	out := make(map[string]any, len(policy)+1)
	for k, v := range policy {
		out[k] = v
	}
	if out["type"] != "workspaceWrite" {
		return out
	}
	var roots []string
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			roots = append(roots, p)
		}
	}
	switch existing := policy["writableRoots"].(type) {
	case []string:
		for _, p := range existing {
			add(p)
		}
	case []any:
		for _, p := range existing {
			if s, ok := p.(string); ok {
				add(s)
			}
		}
	}
	add(workspace)
	for _, p := range gitRoots {
		add(p)
	}
	out["writableRoots"] = roots
	return out
}
