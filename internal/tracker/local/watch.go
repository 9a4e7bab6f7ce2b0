package local

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// Watch follows the issues directory through file system events until ctx ends, so that
// bringing the index up to date means checking only the files that changed, without listing
// the directory. The directory is watched rather than the files, so an editor that saves by
// writing a temporary file and renaming it over the issue is seen. While Watch runs, the whole
// directory is still checked every rescanInterval in case an event was lost; when it is not
// running, or has failed, every question about all issues lists the directory and compares
// each file's time, size and inode, and a question about one issue checks that file. Watch
// returns nil when ctx ends and an error when the watcher cannot start or breaks; the tracker
// stays correct either way.
func (t *Tracker) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch issues directory %s: %w", t.dir, err)
	}
	defer w.Close()
	if err := w.Add(t.dir); err != nil {
		return fmt.Errorf("watch issues directory %s: %w", t.dir, err)
	}
	t.changes.start()
	defer t.changes.stop()
	dir := filepath.Clean(t.dir)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("issues directory watcher closed")
			}
			if filepath.Clean(ev.Name) == dir {
				if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					return fmt.Errorf("issues directory %s was removed or renamed", t.dir)
				}
				continue
			}
			if identifier, ok := identifierOf(filepath.Base(ev.Name)); ok {
				t.changes.mark(identifier, seenOf(ev.Op))
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("issues directory watcher closed")
			}
			t.changes.markFull()
			t.log.Warn("local issue watcher lost track; the next read checks every file", "dir", t.dir, "error", err)
		}
	}
}
