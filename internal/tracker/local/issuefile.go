package local

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

const (
	// maxIssueFileBytes bounds what one issue file may cost: a larger file is reported and
	// skipped without being read. A description this long is already far more than a prompt
	// can usefully carry.
	maxIssueFileBytes = 1 << 20
	// maxCachedBody is the longest description the index keeps; a longer one is read from the
	// file again each time an issue carrying it is returned.
	maxCachedBody = 64 << 10
)

// readIssueFile reads an issue file of at most maxIssueFileBytes and returns what it read with
// the information of the very file it read.
func (t *Tracker) readIssueFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > maxIssueFileBytes {
		return nil, info, tooLarge(path, info.Size())
	}
	t.filesRead.Add(1)
	data, err := io.ReadAll(io.LimitReader(f, maxIssueFileBytes+1))
	if err != nil {
		return nil, info, err
	}
	if len(data) > maxIssueFileBytes {
		return nil, info, tooLarge(path, int64(len(data)))
	}
	return data, info, nil
}

func tooLarge(path string, size int64) *ParseError {
	return &ParseError{Path: path, Msg: fmt.Sprintf("the file holds %d bytes, more than the %d (1 MiB) an issue file may hold; shorten the description", size, maxIssueFileBytes)}
}

// asParseError keeps a ParseError's location and wraps any other error with the file's path.
func asParseError(path string, err error) *ParseError {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return &ParseError{Path: path, Msg: err.Error()}
}

// load reads and parses one issue file into a new entry; a file that cannot be read or parsed
// becomes an entry holding the problem. When the file holds the very bytes old was parsed
// from, old's record is kept rather than parsed again.
func (t *Tracker) load(identifier, path string, readAt time.Time, old *entry) *entry {
	e := &entry{identifier: identifier, fileName: filepath.Base(path), path: path, readAt: readAt}
	data, info, err := t.readIssueFile(path)
	if info != nil {
		e.stamp, e.modTime = stampOf(info), info.ModTime()
	}
	if err != nil {
		e.problem = asParseError(path, err)
		return e
	}
	e.sum = sha256.Sum256(data)
	if old != nil && old.problem == nil && old.sum == e.sum {
		e.rec, e.bodyStart, e.bodyCached = old.rec, old.bodyStart, old.bodyCached
		return e
	}
	t.parseInto(e, data)
	return e
}

// parseInto parses the issue file's bytes into e (e.sum already set).
func (t *Tracker) parseInto(e *entry, data []byte) {
	t.filesParsed.Add(1)
	rec, err := parseIssueFile(e.path, e.identifier, data)
	if err != nil {
		e.problem = asParseError(e.path, err)
		return
	}
	e.rec, e.bodyStart = rec, len(data)-len(rec.Description)
	e.bodyCached = len(rec.Description) <= maxCachedBody
	if !e.bodyCached {
		e.rec.Description = ""
	}
}

// issueOf returns the issue an entry holds, description included, with its blockers' ids and
// states as the view knows them. The caller owns the result: nothing in it is shared with the
// index.
func (t *Tracker) issueOf(v *view, e *entry) (issue.Issue, error) {
	rec, modTime := e.rec, e.modTime
	if !e.bodyCached {
		data, info, err := t.readIssueFile(e.path)
		if err != nil {
			return issue.Issue{}, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", asParseError(e.path, err))
		}
		if stampOf(info) == e.stamp {
			rec.Description = string(data[e.bodyStart:])
		} else {
			// The file changed since it was indexed; what was just read is the newer answer.
			if rec, err = parseIssueFile(e.path, e.identifier, data); err != nil {
				return issue.Issue{}, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", err)
			}
			modTime = info.ModTime()
		}
	}
	is := rec.Issue
	is.UpdatedAt = &modTime
	is.Labels = slices.Clone(is.Labels)
	is.Priority = clonePointer(is.Priority)
	is.CreatedAt = clonePointer(is.CreatedAt)
	is.BlockedBy = slices.Clone(is.BlockedBy)
	for j, b := range is.BlockedBy {
		if other, ok := v.readable(b.Identifier); ok {
			is.BlockedBy[j].ID, is.BlockedBy[j].State = other.rec.ID, other.rec.State
		}
	}
	return is, nil
}

func clonePointer[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// issuesOf returns the entries' issues in order, each entry read once however often it is
// asked for. An issue whose file vanished or broke since it was indexed is left out and
// logged, as a malformed file is.
type issuesOf struct {
	t     *Tracker
	v     *view
	built map[*entry]*issue.Issue
}

func (b *issuesOf) get(e *entry) (issue.Issue, bool) {
	if is, ok := b.built[e]; ok {
		if is == nil {
			return issue.Issue{}, false
		}
		return *is, true
	}
	is, err := b.t.issueOf(b.v, e)
	if err != nil {
		b.t.log.Warn("local issue file skipped", "path", e.path, "reason", err.Error())
		b.built[e] = nil
		return issue.Issue{}, false
	}
	b.built[e] = &is
	return is, true
}
