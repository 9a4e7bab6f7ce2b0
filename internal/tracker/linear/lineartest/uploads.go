package lineartest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// UploadOperation is the operation name under which the fake records, and faults match, the
// PUT of a file's bytes to the upload URL fileUpload returned.
const UploadOperation = "PUT upload"

// uploadPath prefixes the fake's signed upload URLs; assetPath its permanent asset URLs.
const (
	uploadPath = "/uploads/"
	assetPath  = "/assets/"
)

// UploadSignatureHeader is the header fileUpload tells the client to send with the PUT; an
// upload without it is refused with 403, as a storage service refuses a bad signature.
const UploadSignatureHeader = "X-Fake-Upload-Signature"

// Upload is a file reserved through fileUpload and, once PUT, its bytes.
type Upload struct {
	Filename, ContentType string
	Size                  int
	Public                bool
	UploadURL, AssetURL   string
	// Received is true once the PUT arrived; Body, PutContentType and PutAuth are what it sent.
	Received       bool
	Body           []byte
	PutContentType string
	PutAuth        string
}

// Uploads returns every file reserved so far, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.uploads))
	for _, u := range s.uploads {
		out = append(out, *u)
	}
	return out
}

// reserveUpload answers fileUpload (s.mu held).
func (s *Server) reserveUpload(args map[string]any) (any, error) {
	size, ok := intArg(args["size"])
	if !ok || size < 0 {
		return nil, linearError("size must be a non-negative Int")
	}
	id := s.newID("upload")
	u := &Upload{Filename: fmt.Sprint(args["filename"]), ContentType: fmt.Sprint(args["contentType"]), Size: size,
		UploadURL: s.URL + uploadPath + id, AssetURL: s.URL + assetPath + id + "/" + fmt.Sprint(args["filename"])}
	u.Public, _ = args["makePublic"].(bool)
	s.uploads = append(s.uploads, u)
	return uploadPayload{u: u, signature: "sig-" + id}, nil
}

// serveUpload stores the bytes PUT to a reserved upload URL, checking the signature header
// and the declared size like the storage service behind Linear.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Operation: UploadOperation, Auth: r.Header.Get("Authorization")})
	fault := s.takeFault(UploadOperation)
	var target *Upload
	id := strings.TrimPrefix(r.URL.Path, uploadPath)
	for _, u := range s.uploads {
		if strings.HasSuffix(u.UploadURL, uploadPath+id) {
			target = u
		}
	}
	s.mu.Unlock()
	if fault != nil && fault.respond(w) {
		return
	}
	switch {
	case target == nil:
		http.Error(w, "no upload reserved at "+r.URL.Path, http.StatusNotFound)
		return
	case r.Header.Get(UploadSignatureHeader) != "sig-"+id:
		http.Error(w, "signature does not match", http.StatusForbidden)
		return
	case len(body) != target.Size:
		http.Error(w, fmt.Sprintf("body is %d bytes, fileUpload declared %d", len(body), target.Size), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	target.Received, target.Body = true, body
	target.PutContentType, target.PutAuth = r.Header.Get("Content-Type"), r.Header.Get("Authorization")
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// uploadPayload is fileUpload's UploadPayload.
type uploadPayload struct {
	u         *Upload
	signature string
}

func (p uploadPayload) typeName() string { return "UploadPayload" }

func (p uploadPayload) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "success":
		return true, nil
	case "lastSyncId":
		return float64(1), nil
	case "uploadFile":
		return uploadFile(p), nil
	}
	return nil, unknownField("UploadPayload", name)
}

// uploadFile is the UploadFile inside the payload.
type uploadFile uploadPayload

func (f uploadFile) typeName() string { return "UploadFile" }

func (f uploadFile) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "uploadUrl":
		return f.u.UploadURL, nil
	case "assetUrl":
		return f.u.AssetURL, nil
	case "contentType":
		return f.u.ContentType, nil
	case "filename":
		return f.u.Filename, nil
	case "size":
		return f.u.Size, nil
	case "headers":
		return []object{uploadHeader{UploadSignatureHeader, f.signature}, uploadHeader{"Cache-Control", "public, max-age=31536000"}}, nil
	}
	return nil, unknownField("UploadFile", name)
}

type uploadHeader struct{ key, value string }

func (h uploadHeader) typeName() string { return "UploadFileHeader" }

func (h uploadHeader) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "key":
		return h.key, nil
	case "value":
		return h.value, nil
	}
	return nil, unknownField("UploadFileHeader", name)
}
