package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// A sandbox runtime's private TMPDIR (sandbox/runtimetemp.go says what the runtime leaves
// there) is a directory per session in the system temp directory, not in the session's
// directory under the state root: the runtime binds Unix sockets in it, and under a state root
// their paths outgrow a socket address. The session removes it once its agent is gone; one
// left by a Symphony that was killed is removed by ReapSandboxTempDirs at the next start. Its
// name carries its owner, the Symphony process, by pid and start time
// (symphony-sbx-<pid>-<start time>-<random>), so a reused pid never keeps it alive.

const sandboxTempPrefix = "symphony-sbx-"

// fallbackTempRoot is where sandbox temp dirs go when the system temp directory is too long
// for the runtime's sockets: /tmp, where the runtimes put their files before they had dirs of
// their own.
const fallbackTempRoot = "/tmp"

// randomSuffixLen is the longest random suffix os.MkdirTemp appends (a uint32 in decimal).
const randomSuffixLen = 10

// NewSandboxTempDir creates a sandbox runtime's private TMPDIR (0700), owned by this process,
// in the system temp directory, or in /tmp when a dir there could be too long.
// The caller removes it with RemoveSandboxTempDir once the runtime has exited.
func NewSandboxTempDir() (string, error) {
	self, err := reaper.Self()
	if err != nil {
		return "", fmt.Errorf("sandbox temp dir: %w", err)
	}
	pattern := fmt.Sprintf("%s%d-%d-", sandboxTempPrefix, self.PID, self.StartTime)
	root := os.TempDir()
	if len(root)+1+len(pattern)+randomSuffixLen > sandbox.MaxRuntimeTempDirLen {
		root = fallbackTempRoot
	}
	dir, err := os.MkdirTemp(root, pattern)
	if err != nil {
		return "", fmt.Errorf("sandbox temp dir: %w", err)
	}
	return dir, nil
}

// RemoveSandboxTempDir removes a sandbox temp dir and everything in it, even a directory an
// agent command left without write permission, which os.RemoveAll alone cannot empty.
func RemoveSandboxTempDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove sandbox temp dir: %w", err)
	}
	return nil
}

// ReapSandboxTempDirs removes the sandbox temp dirs whose owner process is gone, and returns
// the paths removed. Those of a live owner (this process, or another Symphony running beside
// it) are kept, and so are other users' dirs.
func ReapSandboxTempDirs() ([]string, error) {
	var removed []string
	var errs []error
	for _, root := range slices.Compact([]string{os.TempDir(), fallbackTempRoot}) {
		entries, err := os.ReadDir(root)
		if err != nil {
			errs = append(errs, fmt.Errorf("reap sandbox temp dirs: %w", err))
			continue
		}
		for _, e := range entries {
			owner, ok := sandboxTempOwner(e.Name())
			if !ok || !e.IsDir() || !ownDir(e) || owner.Alive() {
				continue
			}
			path := filepath.Join(root, e.Name())
			if err := RemoveSandboxTempDir(path); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, path)
		}
	}
	return removed, errors.Join(errs...)
}

// ownDir reports whether this user owns the directory entry e.
func ownDir(e fs.DirEntry) bool {
	info, err := e.Info()
	if err != nil {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// sandboxTempOwner reads the owner a sandbox temp dir's name carries.
func sandboxTempOwner(name string) (reaper.Identity, bool) {
	rest, ok := strings.CutPrefix(name, sandboxTempPrefix)
	fields := strings.SplitN(rest, "-", 3)
	if !ok || len(fields) != 3 {
		return reaper.Identity{}, false
	}
	pid, err1 := strconv.Atoi(fields[0])
	start, err2 := strconv.ParseUint(fields[1], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return reaper.Identity{}, false
	}
	return reaper.Identity{PID: pid, StartTime: start}, true
}
