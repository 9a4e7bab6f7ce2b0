package local

import (
	"crypto/sha256"
	"io/fs"
	"time"
)

// recordStateWrite puts the issue file UpdateIssueState just wrote into the index from the
// bytes it wrote and the written file's information, so the write is not read back: old is
// the entry the change was made against, replaced the bytes the write replaced, written the
// new bytes. When replaced is what old was parsed from and the state was written as a plain
// YAML scalar (as state names are), only the state differs, and the record is old's with the
// new state; otherwise the written bytes are parsed, so a quoted value reads as YAML reads it.
//
// A change made by someone else after the write is still seen: an editor's rename brings a
// new inode, a write in place comes as a write event (see check), and without the watcher a
// version this recent is read again at each check until racyWindow has passed.
func (t *Tracker) recordStateWrite(old *entry, replaced, written []byte, info fs.FileInfo, state string) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if t.files[old.identifier] != old {
		// The index looked at the file while it was being written; what it holds may be newer
		// than this write, so the file's stamp decides.
		t.check(old.identifier, false)
		t.publish()
		return
	}
	e := &entry{identifier: old.identifier, fileName: old.fileName, path: old.path,
		stamp: stampOf(info), modTime: info.ModTime(), readAt: time.Now(), sum: sha256.Sum256(written)}
	if old.problem == nil && old.sum == sha256.Sum256(replaced) && yamlScalar(state) == state {
		e.rec, e.bodyCached = old.rec, old.bodyCached
		e.rec.State = state
		e.bodyStart = old.bodyStart + len(written) - len(replaced)
	} else {
		t.parseInto(e, written)
	}
	t.files[e.identifier] = e
	t.viewStale = true
	t.report(e)
	t.publish()
}
