package local

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/symphony-go/symphony/internal/tracker"
)

const (
	// racyWindow covers the coarsest common file time granularity (FAT keeps 2 s). A file
	// modified this close to the moment it was read may change again without its time, size
	// or inode changing, so such a file is read again whenever it is checked until it is older.
	racyWindow = 2 * time.Second
	// rescanInterval is how often the whole directory is checked again while the watcher
	// runs, in case the kernel dropped an event.
	rescanInterval = time.Minute
)

// stamp tells one version of a file from another without reading it.
type stamp struct {
	modNanos int64
	size     int64
	inode    uint64
}

func stampOf(info fs.FileInfo) stamp {
	s := stamp{modNanos: info.ModTime().UnixNano(), size: info.Size()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.inode = st.Ino
	}
	return s
}

// entry is what the index holds about one issue file. It is never changed once published;
// a new version of the file gets a new entry.
type entry struct {
	identifier string
	// fileName orders entries as the directory listing does.
	fileName string
	path     string
	stamp    stamp
	modTime  time.Time
	// readAt is the wall clock just before the file was opened, for the racy check.
	readAt time.Time
	// rec is the parsed front matter; its Description is set only when bodyCached.
	rec        record
	bodyCached bool
	// bodyStart is the byte offset of the description in the file.
	bodyStart int
	// problem is set when the file cannot be read or does not parse; rec is then empty.
	problem *ParseError
	// sum identifies the content rec was parsed from, so a file read again with the same
	// bytes (a racy check, a touch) is not parsed again.
	sum contentSum
}

// contentSum is the SHA-256 of an issue file's bytes.
type contentSum [sha256.Size]byte

// racy reports whether the file may have changed since it was read without its stamp showing it.
func (e *entry) racy() bool {
	return e.stamp.modNanos > e.readAt.Add(-racyWindow).UnixNano()
}

// view is one consistent state of the index, shared by readers without a lock.
type view struct {
	// entries holds every issue file, readable or not, in file name order.
	entries []*entry
	// valid holds the readable ones, in file name order.
	valid  []*entry
	byName map[string]*entry
	// byID maps front matter ids (or identifiers) to the first readable file that has them.
	byID     map[string]*entry
	problems []*ParseError
}

// buildView builds the view of files; when no file came or went since prev, prev's order is
// kept instead of sorting again.
func buildView(prev *view, files map[string]*entry, sameNames bool) *view {
	v := &view{entries: make([]*entry, 0, len(files)), byName: make(map[string]*entry, len(files)), byID: make(map[string]*entry, len(files))}
	if prev != nil && sameNames {
		for _, e := range prev.entries {
			v.entries = append(v.entries, files[e.identifier])
		}
	} else {
		for _, e := range files {
			v.entries = append(v.entries, e)
		}
		slices.SortFunc(v.entries, func(a, b *entry) int { return strings.Compare(a.fileName, b.fileName) })
	}
	for _, e := range v.entries {
		v.byName[e.identifier] = e
		if e.problem != nil {
			v.problems = append(v.problems, e.problem)
			continue
		}
		v.valid = append(v.valid, e)
		if _, taken := v.byID[e.rec.ID]; !taken {
			v.byID[e.rec.ID] = e
		}
	}
	return v
}

// readable returns the entry of a readable issue file by identifier.
func (v *view) readable(identifier string) (*entry, bool) {
	e, ok := v.byName[identifier]
	return e, ok && e.problem == nil
}

// seen is what the watcher saw happen to one file name.
type seen uint8

const (
	// seenRenamedOnto is a file created or renamed onto the name: a version with a new inode,
	// this tracker's own atomic writes included.
	seenRenamedOnto seen = 1 << iota
	// seenOtherChange is a write in place, a removal, a rename away or an attribute change.
	seenOtherChange
)

// seenOf classifies a watcher event.
func seenOf(op fsnotify.Op) seen {
	if op == fsnotify.Create {
		return seenRenamedOnto
	}
	return seenOtherChange
}

// changes collects what the watcher saw since the index was last brought up to date.
type changes struct {
	mu       sync.Mutex
	watching bool
	// full asks for the whole directory to be checked (the watcher just started or lost events).
	full  bool
	dirty map[string]seen
}

func (c *changes) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watching, c.full, c.dirty = true, true, map[string]seen{}
}

func (c *changes) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watching, c.dirty = false, nil
}

func (c *changes) mark(identifier string, what seen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watching {
		c.dirty[identifier] |= what
	}
}

func (c *changes) markFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.full = true
}

// take returns and clears what was collected; it is cleared before the files are read, so an
// event for a write during the read marks the file again.
func (c *changes) take() (watching, full bool, dirty map[string]seen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.dirty) > 0 {
		dirty, c.dirty = c.dirty, map[string]seen{}
	}
	watching, full, c.full = c.watching, c.full, false
	return watching, full, dirty
}

// fresh brings the whole index up to date, for questions about every issue.
func (t *Tracker) fresh() (*view, error) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if v, handled, err := t.applyEvents(); handled {
		return v, err
	}
	return t.rescan()
}

// freshFiles brings the index up to date for questions about the named issue files and the
// issues that block them. Without the watcher only those files are checked.
func (t *Tracker) freshFiles(identifiers ...string) (*view, error) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if v, handled, err := t.applyEvents(); handled {
		return v, err
	}
	if t.view.Load() == nil {
		return t.rescan()
	}
	return t.checkWithBlockers(identifiers), nil
}

// freshIDs is freshFiles for issues named by id. An id the index does not know, or no longer
// finds after the check, may have moved to another file, so the whole directory is checked.
func (t *Tracker) freshIDs(ids []string) (*view, error) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if v, handled, err := t.applyEvents(); handled {
		return v, err
	}
	v := t.view.Load()
	if v == nil {
		return t.rescan()
	}
	identifiers := make([]string, 0, len(ids))
	for _, id := range ids {
		e, ok := v.byID[id]
		if !ok {
			return t.rescan()
		}
		identifiers = append(identifiers, e.identifier)
	}
	v = t.checkWithBlockers(identifiers)
	for _, id := range ids {
		if _, ok := v.byID[id]; !ok {
			return t.rescan()
		}
	}
	return v, nil
}

// recheck reads one issue file again whatever the watcher says, after this process wrote it.
func (t *Tracker) recheck(identifier string) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	t.check(identifier, false)
	t.publish()
}

// applyEvents brings the index up to date from the watcher's events when it runs; handled is
// false when it does not, and the caller checks the files itself (t.refreshMu held).
func (t *Tracker) applyEvents() (v *view, handled bool, err error) {
	watching, full, dirty := t.changes.take()
	if !watching {
		return nil, false, nil
	}
	if full || time.Since(t.lastFullScan) >= rescanInterval || t.view.Load() == nil {
		v, err = t.rescan()
		if err != nil {
			t.changes.markFull()
		}
		return v, true, err
	}
	for identifier, what := range dirty {
		t.check(identifier, what == seenRenamedOnto)
	}
	return t.publish(), true, nil
}

// rescan lists the directory and checks every issue file in it (t.refreshMu held).
func (t *Tracker) rescan() (*view, error) {
	listing, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "read issues directory: %w", err)
	}
	present := make(map[string]bool, len(listing))
	for _, de := range listing {
		identifier, ok := identifierOf(de.Name())
		if !ok {
			continue
		}
		present[identifier] = true
		t.check(identifier, false)
	}
	for identifier := range t.files {
		if !present[identifier] {
			t.forget(identifier)
		}
	}
	t.lastFullScan = time.Now()
	return t.publish(), nil
}

// checkWithBlockers checks the named files, then the files their blockers name, so blocker
// states are as fresh as the issues (t.refreshMu held).
func (t *Tracker) checkWithBlockers(identifiers []string) *view {
	for _, identifier := range identifiers {
		t.check(identifier, false)
	}
	v := t.publish()
	for _, identifier := range identifiers {
		if e, ok := v.readable(identifier); ok {
			for _, b := range e.rec.BlockedBy {
				if isIdentifier(b.Identifier) {
					t.check(b.Identifier, false)
				}
			}
		}
	}
	return t.publish()
}

// check compares one issue file's stamp with the index and reads it again when it changed
// (t.refreshMu held). onlyRenamedOnto says the watcher saw nothing happen to the file since
// the last look but files renamed onto its name; a file modified close to when the index
// learnt its content is then not read again when its stamp matches: a rename brings a new
// inode, so a match is the version the index already holds (its own atomic write, reported
// after the fact), and a same-size write in place within one timestamp tick would have come
// as a write event.
func (t *Tracker) check(identifier string, onlyRenamedOnto bool) {
	path := filepath.Join(t.dir, identifier+issueSuffix)
	old := t.files[identifier]
	readAt := time.Now()
	info, err := os.Stat(path)
	var e *entry
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && info.IsDir():
		t.forget(identifier)
		return
	case err != nil:
		e = &entry{identifier: identifier, fileName: filepath.Base(path), path: path, problem: &ParseError{Path: path, Msg: err.Error()}}
	case old != nil && old.stamp == stampOf(info) && (onlyRenamedOnto || !old.racy()):
		return
	default:
		e = t.load(identifier, path, readAt, old)
	}
	t.files[identifier] = e
	t.viewStale = true
	t.namesChanged = t.namesChanged || old == nil
	t.report(e)
}

// forget drops a file that is gone (t.refreshMu held).
func (t *Tracker) forget(identifier string) {
	if e, ok := t.files[identifier]; ok {
		delete(t.reported, e.path)
		delete(t.files, identifier)
		t.viewStale, t.namesChanged = true, true
	}
}

// report logs a malformed file version once; a file that reads again is forgotten, so a later
// breakage is logged anew (t.refreshMu held).
func (t *Tracker) report(e *entry) {
	if e.problem == nil {
		delete(t.reported, e.path)
		return
	}
	p := e.problem
	if t.reported[p.Path] != p.Error() {
		t.reported[p.Path] = p.Error()
		t.log.Warn("local issue file skipped", "path", p.Path, "line", p.Line, "reason", p.Msg)
	}
}

// publish makes the current entries the view readers see, when they changed (t.refreshMu held).
func (t *Tracker) publish() *view {
	if v := t.view.Load(); v != nil && !t.viewStale {
		return v
	}
	v := buildView(t.view.Load(), t.files, !t.namesChanged)
	t.view.Store(v)
	t.viewStale, t.namesChanged = false, false
	return v
}

// isIdentifier reports whether s can name an issue file; other strings are never turned into
// paths.
func isIdentifier(s string) bool {
	return identifierPattern.MatchString(s) && !strings.HasSuffix(s, strings.TrimSuffix(commentsSuffix, issueSuffix))
}
