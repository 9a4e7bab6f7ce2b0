package tools

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Upload size caps: a public file is readable by anyone holding its URL, so it gets the
// smaller one.
const (
	MaxPublicUploadBytes  = 5 << 20
	MaxPrivateUploadBytes = 50 << 20
)

// attachFile uploads a file from the session's workspace to the issue. Every check runs before
// the tracker is called: the path must resolve (symlinks included) to a regular file strictly
// inside the workspace, its name must not look like a credential file, a public upload needs an
// allowed extension, the size is capped, and neither the title nor the contents may carry a
// credential. The file is opened once, through the checked workspace root, so a symlink
// swapped in after the check cannot make it read something else.
func attachFile(ctx context.Context, h *Host, a args) (any, *toolError) {
	requested := strings.TrimSpace(a.str("local_path"))
	if requested == "" {
		return nil, fail(CodeInvalidArguments, "local_path must not be blank")
	}
	title, terr := titleArg(a)
	if terr != nil {
		return nil, terr
	}
	public, _ := a["make_public"].(bool)
	root, rel, terr := h.resolveInWorkspace(requested)
	if terr != nil {
		return nil, terr
	}
	file, terr := openChecked(root, rel)
	if terr != nil {
		return nil, terr
	}
	defer file.Close()
	name := filepath.Base(rel)
	if sandbox.IsSensitivePath(name, "") || sandbox.IsSensitivePath(filepath.Base(requested), "") {
		code := CodePrivateSensitive
		if public {
			code = CodePublicSensitive
		}
		return nil, fail(code, "%s looks like a credential or key file; it may not be attached (%s upload refused)", name, visibility(public))
	}
	ext := strings.ToLower(filepath.Ext(name))
	if public && !slices.Contains(h.publicExtensions(), ext) {
		e := fail(CodePublicExtension, "a public upload must have one of the extensions %s (workspaces.attachments.public_upload_extensions); %s has %q",
			strings.Join(h.publicExtensions(), " "), name, ext)
		e.Details = map[string]any{"extension": ext, "allowed_extensions": h.publicExtensions()}
		return nil, e
	}
	body, terr := readCapped(file, public)
	if terr != nil {
		return nil, terr
	}
	if terr := h.refuseSecrets(ctx, h.prefix+"attach_file", "title", title); terr != nil {
		return nil, terr
	}
	if terr := h.refuseFindings(ctx, h.prefix+"attach_file", "file", h.opts.Scanner.FindBytes(body)); terr != nil {
		return nil, terr
	}
	contentType := mime.TypeByExtension(ext)
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	link, err := h.opts.Tracker.AttachFile(ctx, h.opts.Issue.ID, tracker.FileUpload{Name: name, ContentType: contentType,
		Title: title, Public: public, Body: body})
	if err != nil {
		return nil, trackerFailure("attaching the file", err)
	}
	return map[string]any{"url": link.URL, "title": link.Title, "bytes": len(body)}, nil
}

// publicExtensions are the extensions a public upload may have; none configured means the
// configuration's defaults.
func (h *Host) publicExtensions() []string {
	if len(h.opts.PublicUploadExtensions) == 0 {
		return config.DefaultPublicUploadExtensions
	}
	return h.opts.PublicUploadExtensions
}

// resolveInWorkspace resolves requested (relative paths against the workspace) with every
// symlink followed, and returns the canonical workspace and the file's path relative to it.
// Anything that does not resolve to a path strictly inside the workspace is refused.
func (h *Host) resolveInWorkspace(requested string) (string, string, *toolError) {
	if h.opts.Workspace == "" {
		return "", "", fail(CodeMissingWorkspace, "this session has no workspace, so no file can be attached")
	}
	root, err := filepath.EvalSymlinks(h.opts.Workspace)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return "", "", fail(CodeWorkspaceNotFound, "the session's workspace cannot be resolved: %v", err)
	}
	path := requested
	if !filepath.IsAbs(path) {
		path = filepath.Join(h.opts.Workspace, path)
	}
	outside := fail(CodePathOutsideWorkspace, "%s is not inside the session's workspace; only files in the workspace may be attached", requested)
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, inside := within(filepath.Clean(h.opts.Workspace), filepath.Clean(path)); !inside {
			return "", "", outside
		}
		return "", "", fail(CodeFileNotFound, "%s does not exist in the workspace", requested)
	}
	if err != nil {
		return "", "", fail(CodeFileNotFound, "%s cannot be resolved: %v", requested, err)
	}
	rel, inside := within(root, real)
	if !inside {
		return "", "", outside
	}
	return root, rel, nil
}

// within returns path relative to root when path lies strictly inside root.
func within(root, path string) (string, bool) {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// openChecked opens rel once through an os.Root on the workspace, which refuses any path or
// symlink that leads out of it, and checks that the open handle is a regular file; everything
// after reads through this handle. O_NONBLOCK keeps a FIFO swapped in after the check from
// blocking the open.
func openChecked(root, rel string) (*os.File, *toolError) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fail(CodeWorkspaceNotFound, "the session's workspace cannot be opened: %v", err)
	}
	defer r.Close()
	if info, err := r.Lstat(rel); err != nil || !info.Mode().IsRegular() {
		return nil, notRegular(rel, err)
	}
	f, err := r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, notRegular(rel, err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(rel, err)
	}
	return f, nil
}

// readCapped reads the whole file unless it is over the cap for its visibility; the cap is
// checked on the handle's size first and again on what was read, in case the file grew.
func readCapped(f *os.File, public bool) ([]byte, *toolError) {
	limit := int64(MaxPrivateUploadBytes)
	if public {
		limit = MaxPublicUploadBytes
	}
	info, err := f.Stat()
	if err != nil {
		return nil, fail(CodeFileNotFound, "%s could not be read: %v", f.Name(), err)
	}
	if info.Size() > limit {
		return nil, tooLarge(info.Size(), limit, public)
	}
	body, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fail(CodeFileNotFound, "%s could not be read: %v", f.Name(), err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge(int64(len(body)), limit, public)
	}
	return body, nil
}

func notRegular(rel string, err error) *toolError {
	if err != nil {
		return fail(CodeNotRegularFile, "%s is not a readable regular file: %v", rel, err)
	}
	return fail(CodeNotRegularFile, "%s is not a regular file; only regular files may be attached", rel)
}

func tooLarge(actual, max int64, public bool) *toolError {
	e := fail(CodeFileTooLarge, "the file is %d bytes; a %s upload may be at most %d bytes", actual, visibility(public), max)
	e.Details = map[string]any{"actual_bytes": actual, "max_bytes": max, "make_public": public}
	return e
}

func visibility(public bool) string {
	if public {
		return "public"
	}
	return "private"
}
