package codex

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// Session directories hold a Codex home (config, rollout files with the whole conversation)
// and the agent's TMPDIR. The session removes its own when it ends; one left by a Symphony
// that was killed is removed by ReapSessionDirs at the next start. Each names its owner, the
// Symphony process, by pid and start time: a pid alone could be reused by an unrelated
// process and keep a dead session's files forever. The owner is in the directory's name
// (codex-session-<pid>-<start time>-<random>), so it is there from the moment the directory
// exists and costs no file of its own; directories of earlier versions, and a directory a
// caller made itself (Options.PrivateDir), name it in an owner file instead.

const (
	sessionDirPrefix = "codex-session-"
	ownerFileName    = "owner"
	// ownerlessGrace spares a session dir without an owner file for this long: another
	// instance may have just created it and be about to write its owner.
	ownerlessGrace = time.Minute
)

// formatOwner is an owner file's text: pid and start time.
func formatOwner(id reaper.Identity) string { return fmt.Sprintf("%d %d\n", id.PID, id.StartTime) }

func parseOwner(b []byte) (reaper.Identity, bool) {
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return reaper.Identity{}, false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1], 10, 64)
	return reaper.Identity{PID: pid, StartTime: start}, err1 == nil && err2 == nil && pid > 0
}

// writeOwner records this process as the owner of a session dir. The file is written under a
// temporary name and renamed, so a reaper never reads half an owner.
func writeOwner(root string) error {
	owner, err := reaper.Self()
	if err != nil {
		return fmt.Errorf("read own start time: %w", err)
	}
	tmp := filepath.Join(root, ownerFileName+".tmp")
	if err := os.WriteFile(tmp, []byte(formatOwner(owner)), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(root, ownerFileName))
}

// ownedBySelf reports whether root's name or owner file already names this process, as
// every dir newSessionDir made does; only another dir needs an owner file written.
func ownedBySelf(root string) bool {
	self, err := reaper.Self()
	if err != nil {
		return false
	}
	if owner, ok := ownerOfName(filepath.Base(root)); ok {
		return owner == self
	}
	b, err := os.ReadFile(filepath.Join(root, ownerFileName))
	owner, ok := parseOwner(b)
	return err == nil && ok && owner == self
}

// newSessionDir creates a fresh, empty session dir under stateDir, named for its owner.
func newSessionDir(stateDir string) (string, error) {
	owner, err := reaper.Self()
	if err != nil {
		return "", fmt.Errorf("create session dir: read own start time: %w", err)
	}
	root, err := os.MkdirTemp(stateDir, fmt.Sprintf("%s%d-%d-", sessionDirPrefix, owner.PID, owner.StartTime))
	if err != nil {
		return "", fmt.Errorf("create session dir: %w", err)
	}
	return root, nil
}

// ownerOfName reads the owner a session dir's name carries; a name without one (an
// earlier version's) yields false.
func ownerOfName(name string) (reaper.Identity, bool) {
	rest, ok := strings.CutPrefix(name, sessionDirPrefix)
	fields := strings.SplitN(rest, "-", 3)
	if !ok || len(fields) != 3 {
		return reaper.Identity{}, false
	}
	return parseOwner([]byte(fields[0] + " " + fields[1]))
}

// NewSessionDir creates a session dir under stateDir owned by this process, for a caller that
// renders a sandbox policy naming it before the session starts (Options.PrivateDir). The
// session removes it when it ends, and ReapSessionDirs treats it like any other.
func NewSessionDir(stateDir string) (string, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", fmt.Errorf("create state dir %q: %w", stateDir, err)
	}
	return newSessionDir(stateDir)
}

// ReapSessionDirs removes the Codex session directories under dir whose owner process is
// gone, and returns the paths removed. Directories of a live owner (this process or another
// running instance sharing the state dir) are kept, as is a young directory whose owner file
// is not written yet. Removing is safe against a concurrent instance: removal is idempotent,
// and nothing live is ever a candidate.
func ReapSessionDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reap codex session dirs: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), sessionDirPrefix) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !abandoned(path) {
			continue
		}
		if err := removeSessionDir(path); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, path)
	}
	return removed, errors.Join(errs...)
}

// abandoned reports whether a session dir's owner is gone.
func abandoned(path string) bool {
	if owner, ok := ownerOfName(filepath.Base(path)); ok {
		return !owner.Alive()
	}
	b, err := os.ReadFile(filepath.Join(path, ownerFileName))
	if owner, ok := parseOwner(b); err == nil && ok {
		return !owner.Alive()
	}
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) > ownerlessGrace
}

// removeSessionDir removes a session dir even where Codex or an agent command left a
// directory without write permission, which os.RemoveAll cannot empty.
func removeSessionDir(path string) error {
	if err := os.RemoveAll(path); err == nil {
		return nil
	}
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("remove codex session dir: %w", err)
	}
	return nil
}
