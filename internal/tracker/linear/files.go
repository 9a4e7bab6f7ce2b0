package linear

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/symphony-go/symphony/internal/tracker"
)

// uploadHeader is one header Linear requires on the PUT to its signed storage URL.
type uploadHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// AttachFile uploads the file in Linear's three steps: fileUpload reserves a signed storage URL,
// the bytes are PUT there with the headers Linear returned, and attachmentCreate links the
// permanent asset URL to the issue. The API key is never sent to the storage URL.
func (c *Client) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	var reserved struct {
		FileUpload *struct {
			Success    bool `json:"success"`
			UploadFile *struct {
				UploadURL string         `json:"uploadUrl"`
				AssetURL  string         `json:"assetUrl"`
				Headers   []uploadHeader `json:"headers"`
			} `json:"uploadFile"`
		} `json:"fileUpload"`
	}
	vars := map[string]any{"filename": f.Name, "contentType": f.ContentType, "size": len(f.Body), "makePublic": f.Public}
	if err := c.do(ctx, "SymphonyFileUpload", vars, &reserved); err != nil {
		return tracker.Link{}, err
	}
	r := reserved.FileUpload
	if r == nil || !r.Success || r.UploadFile == nil || r.UploadFile.UploadURL == "" || r.UploadFile.AssetURL == "" {
		return tracker.Link{}, tracker.Errorf(tracker.CodeMutationFailed, "Linear did not prepare an upload for %s on issue %s", f.Name, issueID)
	}
	if err := c.put(ctx, r.UploadFile.UploadURL, r.UploadFile.Headers, f); err != nil {
		return tracker.Link{}, err
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	var created struct {
		AttachmentCreate *struct {
			Success    bool `json:"success"`
			Attachment *struct {
				ID    string `json:"id"`
				URL   string `json:"url"`
				Title string `json:"title"`
			} `json:"attachment"`
		} `json:"attachmentCreate"`
	}
	if err := c.do(ctx, "SymphonyAttachmentCreate", map[string]any{"issueId": issueID, "url": r.UploadFile.AssetURL, "title": title}, &created); err != nil {
		return tracker.Link{}, err
	}
	p := created.AttachmentCreate
	if p == nil || !p.Success || p.Attachment == nil {
		return tracker.Link{}, tracker.Errorf(tracker.CodeMutationFailed, "Linear did not attach the uploaded %s to issue %s", f.Name, issueID)
	}
	return tracker.Link{ID: p.Attachment.ID, URL: p.Attachment.URL, Title: p.Attachment.Title}, nil
}

// put sends the file to the signed upload URL with Linear's headers, adding Content-Type when
// they do not set it; anything but a 2xx answer is file_upload_status.
func (c *Client) put(ctx context.Context, uploadURL string, headers []uploadHeader, f tracker.FileUpload) error {
	u, err := url.Parse(uploadURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return tracker.Errorf(tracker.CodeUnknownPayload, "SymphonyFileUpload: upload URL is not an http(s) URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, bytes.NewReader(f.Body))
	if err != nil {
		return tracker.Errorf(tracker.CodeRequest, "file upload: build request: %w", err)
	}
	for _, h := range headers {
		req.Header.Set(h.Key, h.Value)
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", f.ContentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL carries a signature, so only the cause beneath it is reported.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return tracker.Errorf(tracker.CodeRequest, "file upload to %s: %v", u.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return tracker.Errorf(tracker.CodeFileUploadStatus, "file upload to %s: HTTP %d: %s", u.Host, resp.StatusCode, snippet(body))
	}
	return nil
}
