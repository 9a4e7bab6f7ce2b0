package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// CodeLocked says another agent holds the workspace; the attempt should be tried again later.
const CodeLocked = "workspace_locked"

// lockDirName is where workspace locks live: directly under the workspace root, beside the
// repositories' workspace directories. Not in the state root, because two services with
// separate state roots that share a workspace root must see the same lock; not inside a
// workspace, because the agent can write its own workspace and could delete or replace the
// file there. Agents can write only their workspace (and its git metadata), never the root.
const lockDirName = ".symphony-locks"

// Lock is an exclusive flock(2) on one workspace, held for a whole attempt. The kernel
// drops it when the last descriptor of its open file closes, so a lock left by a dead
// process never blocks; the agent supervisor keeps a copy of the descriptor, so a lock whose
// service died is released only when the agent tree is gone too.
type Lock struct {
	file      *os.File
	path      string
	workspace string
}

// LockWorkspace takes the lock of workspace, a directory under root, without waiting. When
// another process holds it the error has code workspace_locked and names the holder.
func LockWorkspace(root, workspace string) (*Lock, error) {
	absRoot, err := realPath(root)
	if err != nil {
		return nil, newError(CodeFilesystem, err, "resolving workspace root "+root)
	}
	absWS, err := realPath(workspace)
	if err != nil {
		return nil, newError(CodeFilesystem, err, "resolving workspace "+workspace)
	}
	dir := filepath.Join(absRoot, lockDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, newError(CodeFilesystem, err, "creating the workspace lock directory")
	}
	sum := sha256.Sum256([]byte(absWS))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".lock")
	// Removing a workspace deletes its lock file while holding it, so a process that opened
	// the file just before can win the flock on an unlinked inode while a third one creates
	// and locks a new file. Holding the lock counts only when the path still names the file
	// locked; otherwise open again. Each retry follows a removal, so a few always suffice.
	for range 8 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
		if err != nil {
			return nil, newError(CodeFilesystem, err, "opening workspace lock "+path)
		}
		if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &Error{Code: CodeLocked, Msg: fmt.Sprintf(
					"workspace %s is in use by another agent (lock %s, %s); will try again later", absWS, path, holder)}
			}
			return nil, newError(CodeFilesystem, err, "locking "+path)
		}
		if !stillNamed(f, path) {
			f.Close()
			continue
		}
		l := &Lock{file: f, path: path, workspace: absWS}
		writeHolder(l.file, fmt.Sprintf("symphony pid %d", os.Getpid()))
		return l, nil
	}
	return nil, &Error{Code: CodeLocked, Msg: fmt.Sprintf("workspace %s: its lock %s kept being removed while it was taken; will try again later", absWS, path)}
}

// stillNamed reports whether path still names the open file f.
func stillNamed(f *os.File, path string) bool {
	open, err := f.Stat()
	if err != nil {
		return false
	}
	named, err := os.Lstat(path)
	return err == nil && os.SameFile(open, named)
}

// Release deletes the lock file (and the mount point record beside it) and then gives up the
// hold, for a workspace that no longer exists: without it every removed workspace would leave
// its lock file behind for good.
func (l *Lock) Release() error {
	var errs []error
	for _, path := range []string{l.MountPointRecordPath(), l.path} {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, l.file.Close())...)
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// RecordAgent notes the agent supervisor's pid in the lock file, so a service that finds the
// lock taken can name the process still holding it after its own service died.
func (l *Lock) RecordAgent(pid int) {
	writeHolder(l.file, fmt.Sprintf("symphony pid %d, agent supervisor pid %d", os.Getpid(), pid))
}

// writeHolder replaces a lock file's text with "held by <text>", which readHolder shows a
// process that finds the lock taken; it is informational only, the flock is the lock.
func writeHolder(f *os.File, text string) {
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte("held by "+text+"\n"), 0)
	}
}

func readHolder(f *os.File) string {
	buf := make([]byte, 200)
	n, _ := f.ReadAt(buf, 0)
	if text := strings.TrimSpace(string(buf[:n])); text != "" {
		return text
	}
	return "holder unknown"
}

// File is the locked file, for handing to the agent supervisor.
func (l *Lock) File() *os.File { return l.file }

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// MountPointRecordPath is the file beside the lock where the workspace's sandboxed agent
// session keeps the record of the mount points its sandbox may leave (agent.MountPoints):
// like the lock, out of the agent's reach, and used only by whoever holds the lock.
func (l *Lock) MountPointRecordPath() string {
	return strings.TrimSuffix(l.path, ".lock") + ".mountpoints"
}

// Close releases this process's hold. It only closes the descriptor (no LOCK_UN, which would
// also release the copy an agent supervisor still holds while it kills the agent tree).
func (l *Lock) Close() error { return l.file.Close() }

// Lock takes the workspace lock of an issue's workspace, creating nothing but the lock file.
func (m *Manager) Lock(repoKey, identifier string) (*Lock, error) {
	path, err := m.Path(repoKey, identifier)
	if err != nil {
		return nil, err
	}
	return LockWorkspace(m.root, path)
}
