package linear

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func TestAttachFileUploadsThenLinks(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))
	body := []byte("\x89PNG\r\n\x1a\nnot really an image")

	srv.ResetRequests()
	link, err := c.AttachFile(ctx(t), is.ID, tracker.FileUpload{Name: "shot.png", ContentType: "image/png", Public: true, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, r := range srv.Requests() {
		ops = append(ops, r.Operation)
	}
	if want := []string{"SymphonyFileUpload", lineartest.UploadOperation, "SymphonyAttachmentCreate"}; !slices.Equal(ops, want) {
		t.Fatalf("requests = %v, want %v", ops, want)
	}
	uploads := srv.Uploads()
	if len(uploads) != 1 {
		t.Fatalf("uploads = %d, want 1", len(uploads))
	}
	u := uploads[0]
	if !u.Received || !bytes.Equal(u.Body, body) || u.Size != len(body) || !u.Public || u.Filename != "shot.png" {
		t.Fatalf("upload = %+v, want the file's bytes, size and public flag", u)
	}
	if u.PutContentType != "image/png" {
		t.Errorf("PUT Content-Type = %q, want image/png added when Linear's headers lack it", u.PutContentType)
	}
	if u.PutAuth != "" {
		t.Errorf("the API key was sent to the storage URL: %q", u.PutAuth)
	}
	stored := srv.Links(is.ID)
	if len(stored) != 1 || stored[0].URL != u.AssetURL || stored[0].Title != "shot.png" {
		t.Fatalf("attachments = %+v, want the asset URL titled by the file name", stored)
	}
	if link.URL != u.AssetURL || link.ID != stored[0].ID {
		t.Fatalf("returned link = %+v", link)
	}
}

func TestAttachFileRefusedPutStopsBeforeTheAttachment(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	c := newClient(t, srv, settings(tracker.Route{Key: "web", Team: "ENG"}))
	srv.Inject(lineartest.Fault{Operation: lineartest.UploadOperation, Status: http.StatusForbidden, Body: "SignatureDoesNotMatch"})

	_, err := c.AttachFile(ctx(t), is.ID, tracker.FileUpload{Name: "log.txt", ContentType: "text/plain", Title: "log", Body: []byte("hello")})
	if !tracker.IsCode(err, tracker.CodeFileUploadStatus) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err = %v, want %s naming HTTP 403", err, tracker.CodeFileUploadStatus)
	}
	if strings.Contains(err.Error(), "/uploads/") {
		t.Errorf("the error repeats the signed upload URL: %v", err)
	}
	if n := srv.RequestCount("SymphonyAttachmentCreate"); n != 0 || len(srv.Links(is.ID)) != 0 {
		t.Fatalf("attachmentCreate sent %d times after a refused upload", n)
	}
}
