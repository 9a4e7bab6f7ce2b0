package gitprobe

import (
	"os"
	"path/filepath"
)

// NoRepository reports whether git, run in dir with no GIT_DIR in its environment, certainly
// finds no repository there. Like git's discovery it follows dir's real path upwards; it
// answers true only when neither dir nor any parent holds a HEAD (the mark of a bare
// repository) or a .git that could be one: a gitfile, a symlink, or a directory with a HEAD.
// A .git directory without HEAD is skipped, as git skips it (it cannot be a git directory).
// Anything else, and any directory it cannot resolve, is left to git: false means "ask git",
// not "a repository". Git settings that stop the search early (GIT_CEILING_DIRECTORIES,
// filesystem boundaries) only make git find less, so they cannot make a true answer wrong.
func NoRepository(dir string) bool {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil || !filepath.IsAbs(real) {
		return false
	}
	for {
		if mayHoldRepository(real) {
			return false
		}
		parent := filepath.Dir(real)
		if parent == real {
			return true
		}
		real = parent
	}
}

// mayHoldRepository reports whether git's discovery could stop at dir.
func mayHoldRepository(dir string) bool {
	if !absent(filepath.Join(dir, "HEAD")) {
		return true
	}
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Lstat(dotGit)
	switch {
	case os.IsNotExist(err):
		return false
	case err != nil || !fi.IsDir():
		return true
	}
	return !absent(filepath.Join(dotGit, "HEAD"))
}

// absent reports whether path certainly does not exist; an error other than "not found"
// (a permission denied) is not absence.
func absent(path string) bool {
	_, err := os.Lstat(path)
	return os.IsNotExist(err)
}
