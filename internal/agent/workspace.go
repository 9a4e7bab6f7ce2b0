package agent

import (
	"os"
	"path/filepath"
	"strings"
)

// CheckWorkspace resolves workspace and root through symlinks and requires the workspace to
// be an existing directory strictly inside the root, so an agent is never started in the
// operator's checkout or anywhere else a bad path points. It returns the resolved workspace.
func CheckWorkspace(root, workspace string) (string, error) {
	fail := func(format string, args ...any) (string, error) {
		return "", Errorf(CodeInvalidWorkspaceCwd, format, args...)
	}
	if !filepath.IsAbs(workspace) {
		return fail("workspace %q is not an absolute path", workspace)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fail("workspace root %q: %w", root, err)
	}
	realWS, err := filepath.EvalSymlinks(workspace)
	if err != nil {
		return fail("workspace %q: %w", workspace, err)
	}
	info, err := os.Stat(realWS)
	if err != nil {
		return fail("workspace %q: %w", workspace, err)
	}
	if !info.IsDir() {
		return fail("workspace %q is not a directory", workspace)
	}
	rel, err := filepath.Rel(realRoot, realWS)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fail("workspace %q is not inside the workspace root %q", workspace, root)
	}
	return realWS, nil
}
