package local

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// errChanged reports that a file changed between reading and replacing it.
var errChanged = errors.New("file changed while it was being rewritten")

// replaceFile writes data to path through a temporary file in the same directory and a
// rename, so readers see the old or the new file, never half of one. The rename only happens
// if path still holds exactly expect (an empty expect also accepts a missing file); otherwise
// errChanged is returned and nothing is replaced. The file's permission bits are kept. It
// returns the written file's information, taken before the rename (which keeps the inode, size
// and modification time), so the caller knows the new version without reading it back.
func replaceFile(path string, data, expect []byte) (fs.FileInfo, error) {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	written, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return nil, err
	}
	current, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && len(expect) == 0 {
		current, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(current, expect) {
		return nil, errChanged
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return written, nil
}
