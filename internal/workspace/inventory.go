package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// Owners answers who owns workspace directories; the tracker and the run store implement it.
type Owners interface {
	// TerminalIssues returns the issues currently in a terminal tracker state.
	TerminalIssues(ctx context.Context) ([]issue.Issue, error)
	// TrackedIssues returns every issue the tracker (active or terminal) or the durable run store
	// still references. A workspace directory none of them owns is an orphan.
	TrackedIssues(ctx context.Context) ([]issue.Issue, error)
}

// Running tells whether a workspace belongs to an attempt in progress; the orchestrator
// implements it. Cleanup never touches a running workspace.
type Running interface {
	IsRunning(workspacePath string) bool
}

// OwnerState says who owns a workspace directory found on disk.
type OwnerState string

const (
	OwnerRunning  OwnerState = "running"
	OwnerTerminal OwnerState = "terminal"
	OwnerTracked  OwnerState = "tracked"
	OwnerOrphan   OwnerState = "orphan"
	// OwnerUnknown means the tracker or run store could not be asked.
	OwnerUnknown OwnerState = "unknown"
)

// Action is what cleanup does, or would do, with a workspace directory.
type Action string

const (
	ActionKeep   Action = "keep"
	ActionRemove Action = "remove"
	ActionTrash  Action = "trash"
	// ActionLog reports an orphan without touching it (orphan_action: log).
	ActionLog Action = "log"
)

// Entry is one workspace directory found under the root, with the cleanup decision for it.
type Entry struct {
	RepoKey string
	Path    string
	Key     string
	// Identifier and IssueID are set when an issue the Owners know owns the directory.
	Identifier string
	IssueID    string
	Owner      OwnerState
	ModTime    time.Time
	Age        time.Duration
	// SizeBytes is the total size of regular files, or -1 when not measured.
	SizeBytes int64
	Action    Action
	Reason    string
}

type ownerKey struct{ repoKey, key string }

// ownership is what the Owners said, indexed by workspace directory.
type ownership struct {
	terminal map[ownerKey]issue.Issue
	tracked  map[ownerKey]issue.Issue
}

func (m *Manager) askOwners(ctx context.Context, owners Owners) (*ownership, error) {
	if owners == nil {
		return nil, errors.New("no tracker or run store available")
	}
	terminal, err := owners.TerminalIssues(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing terminal issues: %w", err)
	}
	tracked, err := owners.TrackedIssues(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing tracked issues: %w", err)
	}
	o := &ownership{terminal: m.indexIssues(terminal), tracked: m.indexIssues(tracked)}
	return o, nil
}

// indexIssues maps issues to their directories; an issue without a repo key (a routing
// conflict) may own a directory in any repo.
func (m *Manager) indexIssues(list []issue.Issue) map[ownerKey]issue.Issue {
	idx := make(map[ownerKey]issue.Issue, len(list))
	for _, iss := range list {
		if ValidateIdentifier(iss.Identifier) != nil {
			continue
		}
		for _, repo := range m.repoOrder {
			if iss.RepoKey == "" || iss.RepoKey == repo.Key {
				idx[ownerKey{repo.Key, Key(iss.Identifier)}] = iss
			}
		}
	}
	return idx
}

// scanMode chooses which rules decide an entry's action.
type scanMode int

const (
	// scanFull applies terminal, orphan and age rules and needs the Owners.
	scanFull scanMode = iota
	// scanAgeOnly applies only the age rule, which needs no ownership information.
	scanAgeOnly
)

// scan lists every workspace directory of every configured repo and decides its action.
// Entries that are not plain directories (planted symlinks, stray files) are logged and skipped.
func (m *Manager) scan(own *ownership, ownErr error, running Running, mode scanMode) ([]Entry, error) {
	now := m.now()
	m.reportStrayDirectories()
	var entries []Entry
	for _, repo := range m.repoOrder {
		dir := filepath.Join(m.root, repo.dir)
		if err := m.contain(dir); err != nil {
			return nil, err
		}
		list, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, newError(CodeFilesystem, err, "listing "+dir)
		}
		for _, de := range list {
			path := filepath.Join(dir, de.Name())
			fi, err := os.Lstat(path)
			if err != nil || !fi.IsDir() {
				m.log.Warn("ignoring non-directory in workspace repo directory", "repo_key", repo.Key, "path", path)
				continue
			}
			e := Entry{RepoKey: repo.Key, Path: path, Key: de.Name(), ModTime: fi.ModTime(),
				Age: now.Sub(fi.ModTime()), SizeBytes: -1}
			m.decide(&e, own, ownErr, running, mode)
			entries = append(entries, e)
		}
	}
	return entries, nil
}

func (m *Manager) decide(e *Entry, own *ownership, ownErr error, running Running, mode scanMode) {
	aged := m.cleanup.Enabled && m.cleanup.MaxAgeDays > 0 && e.Age > time.Duration(m.cleanup.MaxAgeDays)*24*time.Hour
	agedReason := fmt.Sprintf("idle %.1f days, over max_age_days %d", e.Age.Hours()/24, m.cleanup.MaxAgeDays)
	if own != nil {
		k := ownerKey{e.RepoKey, e.Key}
		if iss, ok := own.terminal[k]; ok {
			e.Identifier, e.IssueID, e.Owner = iss.Identifier, iss.ID, OwnerTerminal
		} else if iss, ok := own.tracked[k]; ok {
			e.Identifier, e.IssueID, e.Owner = iss.Identifier, iss.ID, OwnerTracked
		} else {
			e.Owner = OwnerOrphan
		}
	} else {
		e.Owner = OwnerUnknown
	}
	switch {
	case running != nil && running.IsRunning(e.Path):
		e.Owner, e.Action, e.Reason = OwnerRunning, ActionKeep, "an attempt is running in it"
	case mode == scanAgeOnly && aged:
		e.Action, e.Reason = ActionRemove, agedReason
	case mode == scanAgeOnly:
		e.Action, e.Reason = ActionKeep, "not idle long enough"
	case ownErr != nil && aged:
		e.Action, e.Reason = ActionKeep, "ownership cannot be determined ("+ownErr.Error()+"); "+agedReason+
			", so the periodic age collection would remove it"
	case ownErr != nil:
		e.Action, e.Reason = ActionKeep, "ownership cannot be determined: "+ownErr.Error()
	case e.Owner == OwnerTerminal:
		e.Action, e.Reason = ActionRemove, "issue "+e.Identifier+" is in a terminal state"
	case aged:
		e.Action, e.Reason = ActionRemove, agedReason
	case e.Owner == OwnerTracked:
		e.Action, e.Reason = ActionKeep, "issue "+e.Identifier+" is tracked"
	case !m.cleanup.Enabled:
		e.Action, e.Reason = ActionKeep, "orphan; workspaces.cleanup is disabled"
	default:
		e.Action, e.Reason = orphanActions[m.cleanup.OrphanAction], "no tracked issue or run record owns it"
	}
}

var orphanActions = map[OrphanAction]Action{OrphanLog: ActionLog, OrphanDelete: ActionRemove, OrphanTrash: ActionTrash}

// Inventory lists every workspace directory with its owner and the action cleanup would take,
// changing nothing. owners may be nil, in which case every owner is OwnerUnknown; measureSize
// walks each workspace to total its file sizes.
func (m *Manager) Inventory(ctx context.Context, owners Owners, running Running, measureSize bool) ([]Entry, error) {
	own, ownErr := m.askOwners(ctx, owners)
	entries, err := m.scan(own, ownErr, running, scanFull)
	if err != nil {
		return nil, err
	}
	if measureSize {
		for i := range entries {
			entries[i].SizeBytes = treeSize(entries[i].Path)
		}
	}
	return entries, nil
}

// treeSize totals regular files without following symlinks; unreadable parts count as zero.
func treeSize(root string) int64 {
	var total int64
	_ = filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

// reportStrayDirectories logs entries at the top of the root that belong to no configured repo
// (for example a repo removed from symphony.yml). Cleanup never touches them: without a repo's
// strategy it cannot know how to remove them safely.
func (m *Manager) reportStrayDirectories() {
	list, err := os.ReadDir(m.root)
	if err != nil {
		return
	}
	known := map[string]bool{topDir(m.cleanup.TrashDir): true, lockDirName: true}
	for _, repo := range m.repoOrder {
		known[repo.dir] = true
	}
	for _, de := range list {
		if !known[de.Name()] {
			m.log.Warn("entry under the workspace root belongs to no configured repository; leaving it alone",
				"path", filepath.Join(m.root, de.Name()))
		}
	}
}
