package local

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/tracker"
)

// filesSuffix names the directory beside LOC-1.md that holds LOC-1's attached files.
const filesSuffix = ".files"

// maxNameAttempts bounds the search for a free file name when earlier attachments share one.
const maxNameAttempts = 1000

// AttachFile copies the file into LOC-1.files/ beside LOC-1.md, under its own name or, when
// that is taken, name-2.ext, name-3.ext and so on (an attachment is never overwritten), and
// records it in LOC-1.links.json with a file:// URL. f.Public has no meaning for files on
// the operator's disk.
func (t *Tracker) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	if err := ctx.Err(); err != nil {
		return tracker.Link{}, err
	}
	if f.Name == "" || f.Name != filepath.Base(f.Name) || f.Name == "." || f.Name == ".." {
		return tracker.Link{}, fmt.Errorf("local tracker: attachment name %q must be a plain file name", f.Name)
	}
	e, err := t.byID(issueID)
	if err != nil {
		return tracker.Link{}, err
	}
	defer t.writes.lock(e.identifier)()
	dir := filepath.Join(t.dir, e.identifier+filesSuffix)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tracker.Link{}, tracker.Errorf(tracker.CodeLocalIssueFile, "create %s: %w", dir, err)
	}
	path, err := writeNewFile(dir, f.Name, f.Body)
	if err != nil {
		return tracker.Link{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return tracker.Link{}, tracker.Errorf(tracker.CodeLocalIssueFile, "resolve %s: %w", path, err)
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	link, err := t.appendLink(e.identifier, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), title)
	if err != nil {
		// The copy without its links entry would be an orphan nobody sees.
		_ = os.Remove(path)
		return tracker.Link{}, err
	}
	return link, nil
}

// writeNewFile creates name in dir, or the first free name-N.ext, exclusively, so neither an
// earlier attachment nor a file a person put there is overwritten.
func writeNewFile(dir, name string, body []byte) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; n <= maxNameAttempts; n++ {
		candidate := name
		if n > 1 {
			candidate = fmt.Sprintf("%s-%d%s", stem, n, ext)
		}
		path := filepath.Join(dir, candidate)
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", tracker.Errorf(tracker.CodeLocalIssueFile, "create %s: %w", path, err)
		}
		_, err = out.Write(body)
		if closeErr := out.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			_ = os.Remove(path)
			return "", tracker.Errorf(tracker.CodeLocalIssueFile, "write %s: %w", path, err)
		}
		return path, nil
	}
	return "", tracker.Errorf(tracker.CodeLocalIssueFile, "%s already holds %d attachments named like %s", dir, maxNameAttempts, name)
}
