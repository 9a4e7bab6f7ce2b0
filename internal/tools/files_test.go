package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
	"github.com/symphony-go/symphony/internal/tracker/local"
)

// pngBytes is enough of a PNG for content sniffing, with invalid UTF-8 in it.
const pngBytes = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff\xfe"

// workspaceFiles lays out a workspace beside a directory outside it and returns both.
func workspaceFiles(t *testing.T) (ws, outside string) {
	t.Helper()
	base := t.TempDir()
	ws, outside = filepath.Join(base, "ws"), filepath.Join(base, "outside")
	files := map[string]string{
		"ws/notes.txt":        "plain notes\n",
		"ws/shot.png":         pngBytes,
		"ws/docs/readme.md":   "# docs\n",
		"ws/media/logo.svg":   "<svg/>",
		"ws/.env":             "X=1\n",
		"ws/.env.local":       "X=2\n",
		"ws/keys/id_rsa.pem":  "not really a key\n",
		"ws/leak.txt":         "config:\n  token: " + fakeGitHubToken + "\n",
		"ws/leak.bin":         pngBytes + fakeGitHubToken + "\x00\xff",
		"outside/notes.txt":   "outside the workspace\n",
		"outside/private.txt": "the operator's file\n",
	}
	for name, content := range files {
		path := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(ws, "docs", ".env.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"escape.txt":          filepath.Join(outside, "private.txt"),
		"outdir":              outside,
		"innocent.txt":        ".env.local",
		"relative-escape.png": filepath.Join("..", "outside", "notes.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(ws, link)); err != nil {
			t.Fatal(err)
		}
	}
	sparse := func(name string, size int64) {
		f, err := os.Create(filepath.Join(ws, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	sparse("huge.bin", MaxPrivateUploadBytes+1)
	sparse("big.png", MaxPublicUploadBytes+1)
	if err := syscall.Mkfifo(filepath.Join(ws, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	return ws, outside
}

func attachArgs(path string, extra ...string) string {
	p, _ := json.Marshal(path)
	return `{"local_path":` + string(p) + strings.Join(extra, "") + `}`
}

func TestAttachFileRefusalsReachNoTracker(t *testing.T) {
	ws, outside := workspaceFiles(t)
	tests := []struct {
		name, args, code, field string
	}{
		{"symlink pointing outside", attachArgs("escape.txt"), CodePathOutsideWorkspace, ""},
		{"relative symlink pointing outside", attachArgs("relative-escape.png", `,"make_public":true`), CodePathOutsideWorkspace, ""},
		{"file under a symlinked directory outside", attachArgs("outdir/notes.txt"), CodePathOutsideWorkspace, ""},
		{"dot-dot escape", attachArgs("../outside/notes.txt"), CodePathOutsideWorkspace, ""},
		{"dot-dot escape to a missing file", attachArgs("../outside/missing.txt"), CodePathOutsideWorkspace, ""},
		{"absolute path outside", attachArgs(filepath.Join(outside, "notes.txt")), CodePathOutsideWorkspace, ""},
		{"the workspace itself", attachArgs("."), CodePathOutsideWorkspace, ""},
		{"directory", attachArgs("docs"), CodeNotRegularFile, ""},
		{"fifo", attachArgs("pipe.txt"), CodeNotRegularFile, ""},
		{"public fifo", attachArgs("pipe.txt", `,"make_public":true`), CodeNotRegularFile, ""},
		{"directory named like a dotenv", attachArgs("docs/.env.d"), CodeNotRegularFile, ""},
		{"missing file", attachArgs("nope.txt"), CodeFileNotFound, ""},
		{"dotenv", attachArgs(".env"), CodePrivateSensitive, ""},
		{"dotenv variant, public", attachArgs(".env.local", `,"make_public":true`), CodePublicSensitive, ""},
		{"pem key", attachArgs("keys/id_rsa.pem"), CodePrivateSensitive, ""},
		{"innocent name linking to a dotenv", attachArgs("innocent.txt"), CodePrivateSensitive, ""},
		{"public text file", attachArgs("notes.txt", `,"make_public":true`), CodePublicExtension, ""},
		{"oversize private", attachArgs("huge.bin"), CodeFileTooLarge, ""},
		{"oversize public", attachArgs("big.png", `,"make_public":true`), CodeFileTooLarge, ""},
		{"secret in the title", attachArgs("notes.txt", `,"title":"see `+fakeGitHubToken+`"`), CodeSecretDetected, "title"},
		{"configured secret in the title", attachArgs("notes.txt", `,"title":"`+configuredKey+`"`), CodeSecretDetected, "title"},
		{"secret in a text file", attachArgs("leak.txt"), CodeSecretDetected, "file"},
		{"token in a binary file", attachArgs("leak.bin"), CodeSecretDetected, "file"},
		{"title too long", attachArgs("notes.txt", `,"title":"`+strings.Repeat("t", 121)+`"`), CodeTitleTooLong, ""},
		{"blank path", attachArgs(" "), CodeInvalidArguments, ""},
		{"no path", `{"title":"x"}`, CodeInvalidArguments, ""},
		{"make_public not a boolean", attachArgs("shot.png", `,"make_public":"yes"`), CodeInvalidArguments, ""},
		{"scope key", attachArgs("notes.txt", `,"issue_id":"id-2"`), CodeScopeArgument, ""},
		{"unknown key", attachArgs("notes.txt", `,"overwrite":true`), CodeUnexpectedArguments, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "memory", false)
			f.host.opts.Workspace = ws
			before := trackerSnapshot(t, f.tracker)
			calls := f.tracker.Calls()
			r := call(t, f.host, "tracker_attach_file", tt.args)
			if r.Success || r.Error == nil || r.Error.Code != tt.code {
				t.Fatalf("attach_file %s = %+v, want failure %s", tt.args, r, tt.code)
			}
			if n := f.tracker.Calls() - calls; n != 0 {
				t.Errorf("the refused call reached the tracker %d times", n)
			}
			if after := trackerSnapshot(t, f.tracker); after != before {
				t.Errorf("the refused call changed the tracker:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if strings.Contains(r.Error.Message, fakeGitHubToken) || strings.Contains(r.Error.Message, "outside the workspace\n") {
				t.Errorf("the refusal repeats what it refused: %s", r.Error.Message)
			}
			refused := f.audit.ofType(EventRefusedAgentAction)
			if tt.code != CodeSecretDetected {
				if len(refused) != 0 {
					t.Errorf("refused_agent_action recorded for a %s refusal", tt.code)
				}
				return
			}
			if len(refused) != 1 || refused[0].Details["tool"] != "tracker_attach_file" || refused[0].Details["field"] != tt.field ||
				refused[0].Details["secret_pattern"] == "" {
				t.Fatalf("refused_agent_action = %+v, want one record for field %s with the pattern kind", refused, tt.field)
			}
			for _, ev := range f.audit.events {
				if b, _ := json.Marshal(ev.Details); bytes.Contains(b, []byte(fakeGitHubToken)) || bytes.Contains(b, []byte(configuredKey)) {
					t.Errorf("audit event %s carries the secret: %s", ev.Type, b)
				}
			}
		})
	}
}

func TestAttachFileTooLargeNamesTheCap(t *testing.T) {
	ws, _ := workspaceFiles(t)
	f := newFixture(t, "memory", false)
	f.host.opts.Workspace = ws
	r := call(t, f.host, "tracker_attach_file", attachArgs("big.png", `,"make_public":true`))
	d := r.Error.Details
	if d["actual_bytes"] != float64(MaxPublicUploadBytes+1) || d["max_bytes"] != float64(MaxPublicUploadBytes) || d["make_public"] != true {
		t.Fatalf("details = %v, want actual_bytes, max_bytes and make_public", d)
	}
	// The same size is fine privately: the public cap is the smaller one.
	if r := call(t, f.host, "tracker_attach_file", attachArgs("big.png")); !r.Success {
		t.Fatalf("a 5 MiB private upload was refused: %+v", r.Error)
	}
}

func TestAttachFileWithoutAWorkspace(t *testing.T) {
	f := newFixture(t, "memory", false)
	if r := call(t, f.host, "tracker_attach_file", attachArgs("notes.txt")); r.Success || r.Error.Code != CodeMissingWorkspace {
		t.Fatalf("attach_file without a workspace = %+v, want %s", r, CodeMissingWorkspace)
	}
	f.host.opts.Workspace = filepath.Join(t.TempDir(), "gone")
	if r := call(t, f.host, "tracker_attach_file", attachArgs("notes.txt")); r.Success || r.Error.Code != CodeWorkspaceNotFound {
		t.Fatalf("attach_file with a missing workspace = %+v, want %s", r, CodeWorkspaceNotFound)
	}
}

// TestAttachFileReadsOnlyWhatWasChecked swaps the checked file for a symlink out of the
// workspace between the check and the read: the read goes through the checked root and fails.
func TestAttachFileReadsOnlyWhatWasChecked(t *testing.T) {
	ws, outside := workspaceFiles(t)
	f := newFixture(t, "memory", false)
	f.host.opts.Workspace = ws
	root, rel, terr := f.host.resolveInWorkspace("docs/readme.md")
	if terr != nil {
		t.Fatal(terr)
	}
	swap := func(t *testing.T, path, target string) {
		t.Helper()
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	swap(t, filepath.Join(ws, "docs", "readme.md"), filepath.Join(outside, "private.txt"))
	if f, terr := openChecked(root, rel); terr == nil {
		f.Close()
		t.Fatalf("a file swapped for a symlink out of the workspace was opened")
	}
	swap(t, filepath.Join(ws, "docs"), outside)
	if err := os.WriteFile(filepath.Join(outside, "readme.md"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, terr := openChecked(root, rel); terr == nil {
		f.Close()
		t.Fatalf("a directory swapped for a symlink out of the workspace was opened through")
	}
}

func TestAttachFileToMemory(t *testing.T) {
	ws, _ := workspaceFiles(t)
	f := newFixture(t, "memory", false)
	f.host.opts.Workspace = ws
	for _, c := range []struct {
		args, name, title, content string
		public                     bool
	}{
		{attachArgs("notes.txt"), "notes.txt", "notes.txt", "plain notes\n", false},
		{attachArgs(filepath.Join(ws, "shot.png"), `,"make_public":true,"title":"  The   screenshot "`), "shot.png", "The screenshot", pngBytes, true},
		{attachArgs("media/logo.svg", `,"make_public":true`), "logo.svg", "logo.svg", "<svg/>", true},
	} {
		r := call(t, f.host, "tracker_attach_file", c.args)
		if !r.Success {
			t.Fatalf("attach_file %s failed: %+v", c.args, r.Error)
		}
		ack := r.Output.(map[string]any)
		keys := make([]string, 0, len(ack))
		for k := range ack {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "bytes,title,url" || ack["bytes"] != float64(len(c.content)) || ack["title"] != c.title {
			t.Errorf("ack = %v, want url, title %q and bytes %d only", ack, c.title, len(c.content))
		}
		stored, ok := f.tracker.File(ack["url"].(string))
		if !ok || string(stored.Body) != c.content || stored.Name != c.name || stored.Public != c.public {
			t.Fatalf("stored file = %+v, %v", stored, ok)
		}
		if c.name == "shot.png" && stored.ContentType != "image/png" {
			t.Errorf("content type = %q, want image/png", stored.ContentType)
		}
	}
	if links := f.tracker.Links("id-1"); len(links) != 3 {
		t.Errorf("links on ENG-1 = %+v, want the three files", links)
	}
}

func TestAttachFileToLocalIssues(t *testing.T) {
	ws, _ := workspaceFiles(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "LOC-1.md"), []byte("---\ntitle: T\nstate: Todo\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := local.New(local.Options{Dir: dir, Settings: tracker.Settings{Routes: []tracker.Route{{Key: "web", Default: true}},
		ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"}}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Issue: issue.Issue{ID: "LOC-1", Identifier: "LOC-1"}, Tracker: tr, Provider: "local",
		Comments: NewStoredOwnership(&memKV{}), Scanner: secretscan.New(), Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, h, "tracker_attach_file", attachArgs("docs/readme.md", `,"title":"Docs"`))
	if !r.Success {
		t.Fatalf("attach_file failed: %+v", r.Error)
	}
	copied, err := os.ReadFile(filepath.Join(dir, "LOC-1.files", "readme.md"))
	if err != nil || string(copied) != "# docs\n" {
		t.Fatalf("copy = %q, %v", copied, err)
	}
	links, err := tr.Links(t.Context(), "LOC-1")
	if err != nil || len(links) != 1 || links[0].Title != "Docs" || links[0].URL != r.Output.(map[string]any)["url"] {
		t.Fatalf("links = %+v, %v; want the file recorded as the ack says", links, err)
	}
}

func TestAttachFileToLinear(t *testing.T) {
	ws, _ := workspaceFiles(t)
	h, srv, is, _ := linearHost(t)
	h.opts.Workspace = ws
	srv.ResetRequests()
	r := call(t, h, "linear_attach_file", attachArgs("shot.png", `,"make_public":true,"title":"Screenshot"`))
	if !r.Success {
		t.Fatalf("attach_file failed: %+v", r.Error)
	}
	var ops []string
	for _, req := range srv.Requests() {
		ops = append(ops, req.Operation)
	}
	if want := []string{"SymphonyFileUpload", lineartest.UploadOperation, "SymphonyAttachmentCreate"}; !slices.Equal(ops, want) {
		t.Fatalf("requests = %v, want %v", ops, want)
	}
	uploads := srv.Uploads()
	if len(uploads) != 1 || !bytes.Equal(uploads[0].Body, []byte(pngBytes)) || !uploads[0].Public || uploads[0].ContentType != "image/png" {
		t.Fatalf("uploads = %+v, want the file's bytes, public, image/png", uploads)
	}
	links := srv.Links(is.ID)
	if len(links) != 1 || links[0].URL != uploads[0].AssetURL || links[0].Title != "Screenshot" || r.Output.(map[string]any)["url"] != uploads[0].AssetURL {
		t.Fatalf("attachments = %+v, ack %v; want the asset URL titled Screenshot", links, r.Output)
	}

	srv.ResetRequests()
	srv.Inject(lineartest.Fault{Operation: lineartest.UploadOperation, Status: 500, Body: "storage down"})
	r = call(t, h, "linear_attach_file", attachArgs("notes.txt"))
	if r.Success || r.Error.Code != string(tracker.CodeFileUploadStatus) {
		t.Fatalf("attach_file with the PUT refused = %+v, want %s", r, tracker.CodeFileUploadStatus)
	}
	if n := srv.RequestCount("SymphonyAttachmentCreate"); n != 0 || len(srv.Links(is.ID)) != 1 {
		t.Fatalf("an attachment was created after the upload failed")
	}
}
