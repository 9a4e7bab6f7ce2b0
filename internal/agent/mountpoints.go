package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// MountPoints removes the mount points a bubblewrap layer (srt, Claude Code's sandbox) leaves
// in the workspace when it is killed before its exit handler runs (see
// sandbox.MountPointCandidates). Record notes which candidates are absent before the
// sandboxed process starts; Sweep, once that process tree is gone, removes each of them that
// is now a mount point as bubblewrap makes them: an empty regular file without write
// permission and with one link, or an empty directory. Anything else there is left alone: a
// symlink, a file or directory with content, a writable empty file (a lock file such as
// .git/config.lock, as git makes it), a path that existed before Record. The runtime mounts
// its placeholders read-only inside the sandbox, so the agent cannot have written through
// them, but nothing the agent could have made on purpose is taken.
type MountPoints struct {
	candidates []string
	// record is the file that keeps what Record noted until Sweep; "" keeps it in memory.
	record string
	// recorded is set by the first Record, which alone sweeps what the record file names: a
	// later one may follow a process of this same holder that was never known to be gone.
	recorded bool

	mu     sync.Mutex
	absent []absentPath
}

// absentPath is a candidate that did not exist at Record, and the directory above it that did:
// Sweep works only inside that same directory, however its path resolves by then. It is kept
// in the record file as JSON.
type absentPath struct {
	Path   string `json:"path"`
	Anchor string `json:"anchor"`
	Dir    fileID `json:"dir"`
}

type fileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// NewMountPoints returns a MountPoints for the candidate paths (absolute); nothing is read
// until Record. When record is not "", the record is also kept in that file from Record until
// Sweep: a session that never sweeps (its service was killed) leaves it behind, and the next
// session's first Record sweeps what it names. The file must be one only the workspace's
// current holder uses, the workspace lock's companion: whoever holds that lock knows the
// previous holder's process tree is gone, and a mount point is only ever removed once its
// sandbox has ended.
func NewMountPoints(candidates []string, record string) *MountPoints {
	return &MountPoints{candidates: candidates, record: record}
}

// Record notes which candidates are absent now, replacing what an earlier Record noted. It
// runs before each sandboxed process starts. With a record file, it first sweeps what a
// session that never swept left in it, then keeps its own note there; an error says what of
// that failed, and the note in memory stands.
func (m *MountPoints) Record() error {
	if m == nil {
		return nil
	}
	var savedErr error
	if !m.recorded {
		m.recorded = true
		savedErr = m.sweepSaved()
	}
	var absent []absentPath
	for _, p := range m.candidates {
		p = filepath.Clean(p)
		if !filepath.IsAbs(p) {
			continue
		}
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		anchor, id, ok := existingAncestor(p)
		if ok {
			absent = append(absent, absentPath{Path: p, Anchor: anchor, Dir: id})
		}
	}
	m.mu.Lock()
	m.absent = absent
	m.mu.Unlock()
	return errors.Join(savedErr, m.saveRecord(absent))
}

// Sweep removes the recorded paths that are now a mount point bubblewrap made, and the record
// file, and returns the paths. Call it only once the sandboxed process tree is gone: a runtime still
// running needs its mount points. A second Sweep without a Record removes nothing.
func (m *MountPoints) Sweep() ([]string, error) {
	if m == nil {
		return nil, nil
	}
	m.mu.Lock()
	absent := m.absent
	m.absent = nil
	m.mu.Unlock()
	removed, err := removeMountPoints(absent)
	return removed, errors.Join(err, m.removeRecord())
}

// removeMountPoints removes those of paths that are now a mount point bubblewrap made,
// children before parents (a placeholder directory is empty only once the placeholders inside
// it are gone), and returns them.
func removeMountPoints(paths []absentPath) ([]string, error) {
	paths = slices.Clone(paths)
	slices.SortStableFunc(paths, func(a, b absentPath) int {
		return strings.Count(b.Path, "/") - strings.Count(a.Path, "/")
	})
	var removed []string
	var errs []error
	for _, a := range paths {
		ok, err := removeIfMountPoint(a)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			removed = append(removed, a.Path)
		}
	}
	return removed, errors.Join(errs...)
}

// SweepLogged is Sweep with its outcome logged; sandbox names what left the mount points
// ("srt", "claude's sandbox").
func (m *MountPoints) SweepLogged(log *slog.Logger, sandbox string) {
	removed, err := m.Sweep()
	if err != nil {
		log.Warn("removing the mount points "+sandbox+" left in the workspace failed", "error", err.Error())
	}
	if len(removed) > 0 {
		log.Info("removed the mount points a killed "+sandbox+" left", "count", len(removed))
	}
}

// removeIfMountPoint removes a.Path if it is a mount point bubblewrap made, reached from
// a.Anchor through real directories only: every component below the anchor was absent at
// Record, so a symlink among them is not the runtime's, and the anchor must still be the
// directory it was.
func removeIfMountPoint(a absentPath) (bool, error) {
	info, err := os.Stat(a.Anchor)
	if err != nil || idOf(info) != a.Dir {
		return false, nil
	}
	rel, err := filepath.Rel(a.Anchor, a.Path)
	if err != nil {
		return false, nil
	}
	parts := strings.Split(rel, string(filepath.Separator))
	dir := a.Anchor
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		if info, err := os.Lstat(dir); err != nil || !info.IsDir() {
			return false, nil
		}
	}
	info, err = os.Lstat(a.Path)
	switch {
	case err != nil:
		return false, nil
	case isBwrapFile(info):
		err = syscall.Unlink(a.Path)
	case info.IsDir():
		err = syscall.Rmdir(a.Path)
		if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
			return false, nil
		}
	default:
		return false, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove the sandbox mount point %s: %w", a.Path, err)
	}
	return true, nil
}

// isBwrapFile reports whether info is a file as bubblewrap makes a mount point for a file
// bind: empty, read-only for everyone (mode 0444) and with a single link. A file its creator
// writes, even one left empty, has write permission.
func isBwrapFile(info fs.FileInfo) bool {
	if !info.Mode().IsRegular() || info.Size() != 0 || info.Mode().Perm()&0o222 != 0 {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 1
}

// existingAncestor is the nearest directory above p that exists, and its identity.
func existingAncestor(p string) (string, fileID, bool) {
	for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err == nil {
			return dir, idOf(info), info.IsDir()
		}
		if !errors.Is(err, fs.ErrNotExist) || dir == filepath.Dir(dir) {
			return "", fileID{}, false
		}
	}
}

func idOf(info fs.FileInfo) fileID {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{Dev: uint64(st.Dev), Ino: st.Ino}
}
