package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// realPath makes p absolute and resolves symlinks in its longest existing prefix, so a root that
// does not exist yet still compares equal to what it will be once created.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var missing []string
	for cur := abs; ; {
		resolved, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{resolved}, missing...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", err
		}
		missing = append([]string{filepath.Base(cur)}, missing...)
		cur = parent
	}
}

// within reports whether p lies strictly inside dir (both clean and absolute).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// contain checks that path lies strictly inside the root and that neither the root nor any
// existing component below it is a symlink or a non-directory. It is called again right before
// every create, hook, agent launch and delete, since the filesystem may change in between.
func (m *Manager) contain(path string) error {
	if !within(m.root, path) {
		return newError(CodeOutsideRoot, nil, fmt.Sprintf("%s is not inside workspace root %s", path, m.root))
	}
	rel, _ := filepath.Rel(m.root, path)
	cur := m.root
	for _, part := range append([]string{""}, strings.Split(rel, string(filepath.Separator))...) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return newError(CodeFilesystem, err, "checking "+cur)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(cur)
			return newError(CodeSymlink, nil, fmt.Sprintf("%s is a symlink (to %q); refusing to use %s", cur, target, path))
		}
		if !fi.IsDir() {
			return newError(CodeFilesystem, nil, fmt.Sprintf("%s is not a directory; refusing to use %s", cur, path))
		}
	}
	return nil
}

// openRoot gives traversal-resistant access to the workspace root: even if a symlink appears
// between a contain check and the operation, os.Root refuses to leave the root.
func (m *Manager) openRoot() (*os.Root, error) {
	if err := os.MkdirAll(m.root, 0o700); err != nil {
		return nil, newError(CodeFilesystem, err, "creating workspace root")
	}
	r, err := os.OpenRoot(m.root)
	if err != nil {
		return nil, newError(CodeFilesystem, err, "opening workspace root")
	}
	return r, nil
}

// makeDir creates path (0700) and any missing parents below the root, reporting whether the
// final directory was created by this call.
func (m *Manager) makeDir(path string) (created bool, err error) {
	if err := m.contain(path); err != nil {
		return false, err
	}
	r, err := m.openRoot()
	if err != nil {
		return false, err
	}
	defer r.Close()
	rel, _ := filepath.Rel(m.root, path)
	parts := strings.Split(rel, string(filepath.Separator))
	for i := range parts {
		sub := filepath.Join(parts[:i+1]...)
		switch err := r.Mkdir(sub, 0o700); {
		case err == nil:
			created = i == len(parts)-1
		case !errors.Is(err, fs.ErrExist):
			return false, newError(CodeFilesystem, err, "creating "+filepath.Join(m.root, sub))
		}
	}
	if err := m.contain(path); err != nil {
		return false, err
	}
	return created, nil
}

// removeTree deletes a workspace directory: exactly two levels below the root (repo dir and
// key) and never a symlink. The root, a repo directory or anything outside is refused.
func (m *Manager) removeTree(path string) error {
	if err := m.contain(path); err != nil {
		return err
	}
	rel, _ := filepath.Rel(m.root, path)
	if strings.Count(rel, string(filepath.Separator)) != 1 {
		return newError(CodeOutsideRoot, nil, fmt.Sprintf("%s is not a workspace directory (<root>/<repo>/<key>); refusing to delete it", path))
	}
	r, err := m.openRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.RemoveAll(rel); err != nil {
		return newError(CodeFilesystem, err, "removing "+path)
	}
	return nil
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// topDir is the first component of a clean relative path: the root entry it lives under.
func topDir(rel string) string {
	return strings.Split(rel, string(filepath.Separator))[0]
}
