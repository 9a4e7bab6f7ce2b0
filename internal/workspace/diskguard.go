package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// DiskStatus is the free-space guard's verdict for the workspace root.
type DiskStatus struct {
	// PauseDispatch is true when MinFreeBytes is set and free space is below it or unknown.
	PauseDispatch bool
	FreeBytes     uint64
	MinFreeBytes  uint64
	// Reason explains a pause in words an operator can act on.
	Reason string
}

// CheckDisk measures free space on the root's filesystem (on its nearest existing ancestor while
// the root does not exist yet) against workspaces.cleanup.min_free_bytes.
func (m *Manager) CheckDisk() DiskStatus {
	st := DiskStatus{MinFreeBytes: m.cleanup.MinFreeBytes}
	if st.MinFreeBytes == 0 {
		return st
	}
	probe := m.root
	for {
		if _, err := os.Stat(probe); err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(probe) == probe {
			break
		}
		probe = filepath.Dir(probe)
	}
	free, err := m.freeBytes(probe)
	if err != nil {
		st.PauseDispatch = true
		st.Reason = fmt.Sprintf("free space of %s cannot be checked: %v", probe, err)
		m.log.Warn("disk guard pausing dispatch", "workspace_root", m.root, "reason", st.Reason)
		return st
	}
	st.FreeBytes = free
	if free < st.MinFreeBytes {
		st.PauseDispatch = true
		st.Reason = fmt.Sprintf("%s has %d bytes free, below workspaces.cleanup.min_free_bytes %d", probe, free, st.MinFreeBytes)
		m.log.Warn("disk guard pausing dispatch", "workspace_root", m.root, "reason", st.Reason)
	}
	return st
}

func statfsFreeBytes(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
