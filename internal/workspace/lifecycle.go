package workspace

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// Outcome is an Entry after cleanup acted on it; Err is set when the action failed.
type Outcome struct {
	Entry
	Err error
}

// StartupCleanup runs the startup pass of SPEC §8.6: remove terminal issues' workspaces, apply
// orphan_action to directories nobody owns, and reclaim workspaces idle beyond max_age_days.
// When the Owners cannot answer (tracker or run store down) it deletes nothing at all and
// returns the reason as an error; startup should log it and continue.
func (m *Manager) StartupCleanup(ctx context.Context, owners Owners, running Running) ([]Outcome, error) {
	own, ownErr := m.askOwners(ctx, owners)
	entries, err := m.scan(own, ownErr, running, scanFull)
	if err != nil {
		return nil, err
	}
	if ownErr != nil {
		m.log.Warn("startup workspace cleanup deletes nothing: ownership cannot be determined", "error", ownErr.Error())
		return m.apply(ctx, entries, running), fmt.Errorf("startup workspace cleanup skipped: %w", ownErr)
	}
	return m.apply(ctx, entries, running), nil
}

// CollectAged removes workspaces idle longer than max_age_days, skipping running ones. It needs
// no ownership information, so it also runs while the tracker is unreachable.
func (m *Manager) CollectAged(ctx context.Context, running Running) ([]Outcome, error) {
	entries, err := m.scan(nil, nil, running, scanAgeOnly)
	if err != nil {
		return nil, err
	}
	return m.apply(ctx, entries, running), nil
}

// RunCollector calls CollectAged every cleanup interval until ctx ends. It returns at once when
// cleanup or age GC is disabled.
func (m *Manager) RunCollector(ctx context.Context, running Running) {
	if !m.cleanup.Enabled || m.cleanup.MaxAgeDays == 0 {
		return
	}
	t := time.NewTicker(m.cleanup.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.CollectAged(ctx, running); err != nil {
				m.log.Warn("workspace age collection failed", "error", err.Error())
			}
		}
	}
}

func (m *Manager) apply(ctx context.Context, entries []Entry, running Running) []Outcome {
	out := make([]Outcome, 0, len(entries))
	for _, e := range entries {
		o := Outcome{Entry: e}
		// An attempt may have started since the scan.
		if e.Action != ActionKeep && running != nil && running.IsRunning(e.Path) {
			o.Owner, o.Action, o.Reason = OwnerRunning, ActionKeep, "an attempt started in it"
		}
		repo := m.repos[e.RepoKey]
		switch o.Action {
		case ActionRemove:
			o.Err = m.removeLocked(ctx, repo, m.entryWorkspace(repo, e))
		case ActionTrash:
			o.Err = m.trashLocked(ctx, repo, e)
		}
		m.logOutcome(o)
		out = append(out, o)
	}
	return out
}

// entryWorkspace rebuilds the Workspace of a scanned directory; for orphans the identifier is
// unknown and the worktree branch is discovered from git.
func (m *Manager) entryWorkspace(repo *repoConfig, e Entry) Workspace {
	ws := Workspace{Path: e.Path, RepoKey: e.RepoKey, IssueID: e.IssueID, Identifier: e.Identifier,
		Key: e.Key, Strategy: repo.Strategy}
	if repo.Strategy == StrategyWorktree && e.Identifier != "" {
		ws.Branch = "auto/" + e.Identifier
	}
	return ws
}

// trashLocked trashes an orphan under its workspace lock, so an agent that started in it
// since the scan (of this service after a restart, or of another) keeps it; the lock file
// goes with the workspace.
func (m *Manager) trashLocked(ctx context.Context, repo *repoConfig, e Entry) error {
	lock, err := LockWorkspace(m.root, e.Path)
	if err != nil {
		return err
	}
	if err := m.trash(ctx, repo, e); err != nil {
		lock.Close()
		return err
	}
	return lock.Release()
}

// trash moves an orphan under <root>/<trash_dir>/<repo dir>/<key>-<unix nanos>. A worktree's
// registration is pruned but its branch kept, so committed work stays reachable.
func (m *Manager) trash(ctx context.Context, repo *repoConfig, e Entry) error {
	if err := m.contain(e.Path); err != nil {
		return err
	}
	r, err := m.openRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	src, _ := filepath.Rel(m.root, e.Path)
	destDir := filepath.Join(m.cleanup.TrashDir, repo.dir)
	dest := filepath.Join(destDir, e.Key+"-"+strconv.FormatInt(m.now().UnixNano(), 10))
	if err := r.MkdirAll(destDir, 0o700); err != nil {
		return newError(CodeFilesystem, err, "creating trash directory "+filepath.Join(m.root, destDir))
	}
	if err := r.Rename(src, dest); err != nil {
		return newError(CodeFilesystem, err, fmt.Sprintf("moving %s to %s", e.Path, filepath.Join(m.root, dest)))
	}
	if repo.Strategy == StrategyWorktree {
		release, err := m.lockPrimary(ctx, repo, "pruning after trashing "+e.Path)
		if err != nil {
			return err
		}
		defer release()
		if _, err := m.git(ctx, repo.PrimaryClone, "worktree", "prune"); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) logOutcome(o Outcome) {
	attrs := []any{"repo_key", o.RepoKey, "workspace", o.Path, "owner", string(o.Owner),
		"action", string(o.Action), "reason", o.Reason}
	if o.Identifier != "" {
		attrs = append(attrs, "issue_identifier", o.Identifier, "issue_id", o.IssueID)
	}
	switch {
	case o.Err != nil:
		m.log.Error("workspace cleanup failed", append(attrs, "outcome", "failed", "error", o.Err.Error())...)
	case o.Action == ActionLog:
		m.log.Warn("orphan workspace found", attrs...)
	case o.Action == ActionKeep:
		m.log.Debug("workspace kept", attrs...)
	default:
		m.log.Info("workspace cleaned up", append(attrs, "outcome", "completed")...)
	}
}
