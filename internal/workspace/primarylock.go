package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PrimaryLockName is the file, in a primary clone's git common directory, that every Symphony
// process holds an exclusive flock(2) on while it adds, prunes or removes worktrees or changes
// branches there. The in-process mutex serializes one Manager; two services sharing a clone,
// or two worker hosts that are one machine, only exclude each other through the file. The
// scripts run on worker hosts lock the same name, so a service on a host and another
// service dispatching to that host exclude each other too.
const PrimaryLockName = "symphony.lock"

// CodePrimaryCloneBusy says the primary clone's lock was not free within the wait allowed;
// the attempt should be tried again later.
const CodePrimaryCloneBusy = "workspace_primary_clone_busy"

// flock(2) cannot wait with a deadline, so a waiter retries without blocking, backing off
// from a poll short beside any git command to one that costs nothing over a long wait.
const (
	primaryLockFirstPoll = 5 * time.Millisecond
	primaryLockMaxPoll   = 250 * time.Millisecond
)

// lockPrimary takes the repository's in-process mutex, then the primary clone's lock file,
// waiting at most the primary lock timeout for another process to let go; purpose names the
// work in the lock file, so a process that times out can say what held it up. release gives
// both up. The file is opened close-on-exec, so no git child or its leftovers keep the lock
// after release, and a cancelled ctx or killed git child returns through release like any
// other failure.
func (m *Manager) lockPrimary(ctx context.Context, repo *repoConfig, purpose string) (release func(), err error) {
	repo.gitMu.Lock()
	file, err := m.flockPrimary(ctx, repo, purpose)
	if err != nil {
		repo.gitMu.Unlock()
		return nil, err
	}
	return func() {
		// An empty file says nobody holds the lock; a stale holder would mislead a waiter
		// blocked by something that wrote nothing.
		_ = file.Truncate(0)
		file.Close()
		repo.gitMu.Unlock()
	}, nil
}

// flockPrimary opens and locks the primary clone's lock file; repo.gitMu must be held.
func (m *Manager) flockPrimary(ctx context.Context, repo *repoConfig, purpose string) (*os.File, error) {
	path, err := m.primaryLockPath(ctx, repo)
	if err != nil {
		return nil, err
	}
	// No symlink: an agent can write the git common directory and must not redirect the
	// holder text Symphony writes into another file.
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, newError(CodeFilesystem, err, "opening the primary clone's lock "+path)
	}
	deadline := time.NewTimer(m.primaryLockTimeout)
	defer deadline.Stop()
	poll := primaryLockFirstPoll
	for {
		err := flock(file, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			file.Close()
			return nil, newError(CodeFilesystem, err, "locking "+path)
		}
		wait := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			wait.Stop()
			file.Close()
			return nil, newError(CodeGitFailed, ctx.Err(), "waiting for the primary clone's lock "+path)
		case <-deadline.C:
			wait.Stop()
			holder := readHolder(file)
			file.Close()
			return nil, &Error{Code: CodePrimaryCloneBusy, Msg: fmt.Sprintf(
				"primary clone %s: its lock %s was not free within %s (%s); will try again later",
				repo.PrimaryClone, path, m.primaryLockTimeout, holder)}
		case <-wait.C:
		}
		poll = min(2*poll, primaryLockMaxPoll)
	}
	writeHolder(file, fmt.Sprintf("symphony pid %d: %s, since %s", os.Getpid(), purpose, m.now().UTC().Format(time.RFC3339)))
	return file, nil
}

// primaryLockPath finds the lock file in the clone's git common directory, which every
// worktree of the clone shares whichever of them workspace.repo names; repo.gitMu must be
// held. The directory does not change while the clone exists, so it is looked up once.
func (m *Manager) primaryLockPath(ctx context.Context, repo *repoConfig) (string, error) {
	if repo.gitCommonDir == "" {
		out, err := m.git(ctx, repo.PrimaryClone, "rev-parse", "--git-common-dir")
		if err != nil {
			return "", err
		}
		dir := strings.TrimSpace(out)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(repo.PrimaryClone, dir)
		}
		repo.gitCommonDir = dir
	}
	return filepath.Join(repo.gitCommonDir, PrimaryLockName), nil
}
