package local

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
)

func TestAttachFileCopiesBesideTheIssueWithoutOverwriting(t *testing.T) {
	dir := t.TempDir()
	issuePath := write(t, dir, "LOC-1.md", "---\ntitle: T\nstate: Todo\n---\nbody\n")
	before, err := os.ReadFile(issuePath)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTracker(t, dir, settings(), nil)
	first, err := tr.AttachFile(ctx(), "LOC-1", tracker.FileUpload{Name: "report.txt", Title: "Report", Body: []byte("one")})
	if err != nil {
		t.Fatal(err)
	}
	second, err := tr.AttachFile(ctx(), "LOC-1", tracker.FileUpload{Name: "report.txt", Body: []byte("two")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		link        tracker.Link
		name, body  string
		title, want string
	}{{first, "report.txt", "one", first.Title, "Report"}, {second, "report-2.txt", "two", second.Title, "report.txt"}} {
		path := filepath.Join(dir, "LOC-1.files", c.name)
		got, err := os.ReadFile(path)
		if err != nil || string(got) != c.body {
			t.Fatalf("%s = %q, %v; want %q", path, got, err, c.body)
		}
		u, err := url.Parse(c.link.URL)
		if err != nil || u.Scheme != "file" || filepath.Base(u.Path) != c.name {
			t.Errorf("link URL %q does not name %s", c.link.URL, c.name)
		}
		if c.title != c.want {
			t.Errorf("link title = %q, want %q", c.title, c.want)
		}
	}
	links, err := tr.Links(ctx(), "LOC-1")
	if err != nil || len(links) != 2 || links[0] != first || links[1] != second {
		t.Fatalf("links file = %+v, %v; want both attachments", links, err)
	}
	if after, _ := os.ReadFile(issuePath); !bytes.Equal(after, before) {
		t.Errorf("attaching changed the issue file")
	}
	if got, err := tr.FetchCandidates(ctx()); err != nil || len(got.Dispatchable) != 1 {
		t.Fatalf("the files directory was read as an issue: %+v, %v", got, err)
	}
	for _, name := range []string{"", "../escape.txt", "sub/x.txt", ".."} {
		if _, err := tr.AttachFile(ctx(), "LOC-1", tracker.FileUpload{Name: name, Body: []byte("x")}); err == nil {
			t.Errorf("AttachFile accepted the name %q", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.txt")); !os.IsNotExist(err) {
		t.Errorf("a name with .. wrote outside the files directory")
	}
}
