package sshworker

import (
	"bufio"
	"fmt"
	"strings"
)

// A remote workspace gets the same containment rule as a local one, in two halves: the paths
// are checked lexically here before anything is sent, and the remote script reports the
// physical paths (`pwd -P`) so a symlink planted on the host cannot move the workspace, or a
// removal, outside the root.

// Marker lines the prepare script prints; anything else on stdout (a chatty login profile) is
// ignored.
const (
	markerCreated = "symphony-workspace-created="
	markerRoot    = "symphony-workspace-root="
	markerPath    = "symphony-workspace-path="
)

const prepareScript = `mkdir -p -- "$1" || exit 3
proot=$(cd -P -- "$1" && pwd -P) || exit 3
if [ -d "$2" ]; then created=no; else mkdir -- "$2" || exit 3; created=yes; fi
pdir=$(cd -P -- "$2" && pwd -P) || exit 3
printf '` + markerCreated + `%s\n` + markerRoot + `%s\n` + markerPath + `%s\n' "$created" "$proot" "$pdir"`

// The removal resolves the workspace physically and refuses one that lands outside the root;
// a symlink in the workspace's place is removed as a link, never followed.
const removeScript = `[ -e "$2" ] || [ -L "$2" ] || exit 0
if [ -L "$2" ]; then rm -f -- "$2"; exit; fi
proot=$(cd -P -- "$1" && pwd -P) || exit 3
pdir=$(cd -P -- "$2" && pwd -P) || exit 3
case $pdir in "$proot"/?*) ;; *) echo "symphony: workspace $2 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
rm -rf -- "$pdir"`

// RemoteWorkspace is what the prepare script found on the host.
type RemoteWorkspace struct {
	Path         string // as requested
	PhysicalPath string // after resolving symlinks on the host
	Created      bool   // false when the directory already existed (a retry or continuation)
}

// checkWorkspacePaths is the lexical half: both paths plain and absolute, dir strictly below root.
func checkWorkspacePaths(root, dir string) error {
	if err := ValidateRemotePath(root); err != nil {
		return fmt.Errorf("remote workspaces.root: %w", err)
	}
	if err := ValidateRemotePath(dir); err != nil {
		return fmt.Errorf("remote workspace: %w", err)
	}
	if !RemotePathUnder(root, dir) {
		return fmt.Errorf("remote workspace %q is not inside workspaces.root %q", dir, root)
	}
	return nil
}

// PrepareWorkspaceCommand is the remote command that creates dir under root when missing and
// reports the physical paths; read its stdout with ParseWorkspaceReport. Exit 3 means a
// directory could not be made or entered.
func PrepareWorkspaceCommand(root, dir string) ([]string, error) {
	if err := checkWorkspacePaths(root, dir); err != nil {
		return nil, err
	}
	return []string{"sh", "-c", prepareScript, "symphony-prepare", root, dir}, nil
}

// ParseWorkspaceReport reads the prepare script's stdout and applies the physical half of the
// containment check.
func ParseWorkspaceReport(dir, stdout string) (RemoteWorkspace, error) {
	ws := RemoteWorkspace{Path: dir}
	var created, proot string
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, markerCreated):
			created = strings.TrimPrefix(line, markerCreated)
		case strings.HasPrefix(line, markerRoot):
			proot = strings.TrimPrefix(line, markerRoot)
		case strings.HasPrefix(line, markerPath):
			ws.PhysicalPath = strings.TrimPrefix(line, markerPath)
		}
	}
	if (created != "yes" && created != "no") || proot == "" || ws.PhysicalPath == "" {
		return RemoteWorkspace{}, fmt.Errorf("remote workspace %s: the host did not report its physical paths (output %q)", dir, truncate(stdout, 300))
	}
	ws.Created = created == "yes"
	if !RemotePathUnder(proot, ws.PhysicalPath) {
		return RemoteWorkspace{}, fmt.Errorf("remote workspace %s resolves to %s on the host, outside workspaces.root (%s)", dir, ws.PhysicalPath, proot)
	}
	return ws, nil
}

// RemoveWorkspaceCommand is the remote command that deletes dir after checking on the host that
// it physically lies inside root. Exit 0 also covers a workspace that is already gone; exit 4
// means it resolved outside the root and nothing was removed.
func RemoveWorkspaceCommand(root, dir string) ([]string, error) {
	if err := checkWorkspacePaths(root, dir); err != nil {
		return nil, err
	}
	return []string{"sh", "-c", removeScript, "symphony-remove", root, dir}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
