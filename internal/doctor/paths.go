package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkWritable proves dir can hold Symphony's files by creating and removing a temporary
// file in it. A directory that does not exist yet is fine when its nearest existing ancestor
// lets a directory be created, which is what the service does on first use; nothing is left
// behind either way.
func checkWritable(dir, fix string) Result {
	if dir == "" {
		return fail(fix, "no directory is configured")
	}
	info, err := os.Stat(dir)
	switch {
	case err == nil && !info.IsDir():
		return fail(fix, "%s is not a directory", dir)
	case err == nil:
		f, err := os.CreateTemp(dir, ".symphony-doctor-*")
		if err != nil {
			return fail(fix, "cannot create a file in %s: %v", dir, unwrapPath(err))
		}
		f.Close()
		if err := os.Remove(f.Name()); err != nil {
			return fail(fix, "cannot remove a file from %s: %v", dir, unwrapPath(err))
		}
		return ok("%s is writable", dir)
	case !missing(err):
		return fail(fix, "%s cannot be inspected: %v", dir, unwrapPath(err))
	}
	ancestor, info, err := nearestExisting(dir)
	switch {
	case err != nil:
		return fail(fix, "%s cannot be created: %v", dir, unwrapPath(err))
	case !info.IsDir():
		return fail(fix, "%s cannot be created: %s is a file, not a directory", dir, ancestor)
	}
	probe, err := os.MkdirTemp(ancestor, ".symphony-doctor-*")
	if err != nil {
		return fail(fix, "%s cannot be created: %v", dir, unwrapPath(err))
	}
	if err := os.Remove(probe); err != nil {
		return fail(fix, "cannot remove a directory from %s: %v", ancestor, unwrapPath(err))
	}
	return ok("%s will be created (%s is writable)", dir, ancestor)
}

// nearestExisting returns the closest ancestor of dir that exists, with its file info.
func nearestExisting(dir string) (string, fs.FileInfo, error) {
	p := filepath.Clean(dir)
	for {
		info, err := os.Stat(p)
		if err == nil {
			return p, info, nil
		}
		parent := filepath.Dir(p)
		if !missing(err) || parent == p {
			return p, nil, err
		}
		p = parent
	}
}

// missing reports whether a stat error means the path does not exist, including the case of
// a file standing where a directory of the path should be.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// unwrapPath drops the "op path:" prefix of a *fs.PathError whose path the message names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
