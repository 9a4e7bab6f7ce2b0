// Package gitlabtest is a stateful fake of the GitLab REST v4 endpoints the GitLab tracker
// uses: one project's issues (listing with state filter, offset pagination headers and an
// ETag answered 304 on If-None-Match, get, update with state_event and add/remove labels),
// issue links (blocks / is_blocked_by), issue notes, project uploads, and /user. It checks
// the PRIVATE-TOKEN header, logs every request, and injects faults (any status, 429 with
// Retry-After, malformed JSON, no answer) for the next N matching requests.
package gitlabtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv/fakefault"
)

// Token is the private token the fake accepts; Username is its user.
const (
	Token    = "glpat-test-0000000000"
	Username = "symphony-bot"
)

// Options configures a Server.
type Options struct {
	// Project is the project path, e.g. group/app.
	Project string
	// MaxPerPage caps per_page so tests reach several pages.
	MaxPerPage int
}

// Issue is a stored issue; zero IID and State are filled in.
type Issue struct {
	IID         int64
	Title       string
	Description string
	// State is "opened" or "closed".
	State     string
	Labels    []string
	Assignees []string
	// BlockedBy are the iids of issues that block this one (GitLab "is_blocked_by" links).
	BlockedBy []int64
	Created   time.Time
	// Updated moves on every change the fake makes; zero is Created.
	Updated time.Time
}

// Note is a stored note.
type Note struct {
	ID     int64
	IID    int64
	Body   string
	Author string
	System bool
}

// Upload is a stored project upload.
type Upload struct {
	ID       int64
	Filename string
	Secret   string
	Body     []byte
}

// Request is one logged request and the status it was answered with.
type Request struct {
	Method, Path, Query string
	Body                []byte
	Status              int
}

// Fault changes the answer to the next Times matching requests (see fakefault.Fault).
type Fault = fakefault.Fault

// Server is a running fake.
type Server struct {
	URL string

	t    testing.TB
	opts Options

	mu       sync.Mutex
	issues   []*Issue
	notes    []*Note
	uploads  []*Upload
	requests []Request
	faults   fakefault.Queue
	nextID   int64
}

// NewServer starts a fake GitLab that stops when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Project == "" {
		opts.Project = "group/app"
	}
	if opts.MaxPerPage <= 0 {
		opts.MaxPerPage = 100
	}
	s := &Server{t: t, opts: opts, nextID: 500}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// AddIssue stores an issue and returns it.
func (s *Server) AddIssue(is Issue) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.IID == 0 {
		is.IID = int64(len(s.issues) + 1)
	}
	if is.State == "" {
		is.State = "opened"
	}
	if is.Created.IsZero() {
		is.Created = time.Date(2026, 12, 1, 10, 0, len(s.issues), 0, time.UTC)
	}
	if is.Updated.IsZero() {
		is.Updated = is.Created
	}
	stored := is
	stored.Labels, stored.BlockedBy = slices.Clone(is.Labels), slices.Clone(is.BlockedBy)
	s.issues = append(s.issues, &stored)
	return is
}

// Block links two stored issues, blocker blocks blocked, and moves both issues' updated_at
// as GitLab's system notes on a new link do.
func (s *Server) Block(blocked, blocker int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, other := s.find(blocked), s.find(blocker)
	if b == nil || other == nil {
		s.t.Errorf("gitlabtest: Block(%d, %d): no such issue", blocked, blocker)
		return
	}
	b.BlockedBy = append(b.BlockedBy, blocker)
	b.Updated, other.Updated = b.Updated.Add(time.Second), other.Updated.Add(time.Second)
}

// AddNote stores a note (a system note with System) and returns it.
func (s *Server) AddNote(n Note) Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	n.ID = s.nextID
	stored := n
	s.notes = append(s.notes, &stored)
	return n
}

// Issue returns a stored issue.
func (s *Server) Issue(iid int64) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.find(iid); is != nil {
		out := *is
		out.Labels, out.BlockedBy = slices.Clone(is.Labels), slices.Clone(is.BlockedBy)
		return out, true
	}
	return Issue{}, false
}

// Notes returns the bodies of an issue's notes, in order.
func (s *Server) Notes(iid int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.notes {
		if n.IID == iid {
			out = append(out, n.Body)
		}
	}
	return out
}

// Requests returns every request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.faults.Inject(f)
}

func (s *Server) find(iid int64) *Issue {
	for _, is := range s.issues {
		if is.IID == iid {
			return is
		}
	}
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, body []byte)) {
		mux.HandleFunc(pattern, s.guard(fn))
	}
	h("GET /api/v4/user", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, map[string]any{"id": 7, "username": Username})
	})
	h("GET /api/v4/projects/{project}/issues", s.listIssues)
	h("GET /api/v4/projects/{project}/issues/{iid}", s.getIssue)
	h("PUT /api/v4/projects/{project}/issues/{iid}", s.updateIssue)
	h("GET /api/v4/projects/{project}/issues/{iid}/links", s.listLinks)
	h("POST /api/v4/projects/{project}/uploads", s.upload)
	h("GET /api/v4/projects/{project}/issues/{iid}/notes", s.listNotes)
	h("POST /api/v4/projects/{project}/issues/{iid}/notes", s.createNote)
	h("PUT /api/v4/projects/{project}/issues/{iid}/notes/{id}", s.updateNote)
	h("DELETE /api/v4/projects/{project}/issues/{iid}/notes/{id}", s.deleteNote)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.t.Errorf("gitlabtest: unexpected request %s %s", r.Method, r.URL.EscapedPath())
		writeMessage(w, http.StatusNotFound, "404 Not Found")
	})
	return mux
}

func (s *Server) guard(fn func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: body})
		index := len(s.requests) - 1
		s.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.mu.Lock()
			s.requests[index].Status = rec.status
			s.mu.Unlock()
		}()
		w = rec
		if fakefault.Answer(w, r, s.faults.Take(r), `[{"iid": `, writeMessage) {
			return
		}
		if r.Header.Get("PRIVATE-TOKEN") != Token {
			writeMessage(w, http.StatusUnauthorized, "401 Unauthorized")
			return
		}
		if p := r.PathValue("project"); p != "" && p != s.opts.Project {
			writeMessage(w, http.StatusNotFound, "404 Project Not Found")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		fn(w, r, body)
	}
}

func (s *Server) issueJSON(is *Issue) map[string]any {
	assignees := []any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, map[string]any{"username": a})
	}
	return map[string]any{"iid": is.IID, "id": 1000 + is.IID, "project_id": 1, "title": is.Title, "description": is.Description,
		"state": is.State, "labels": is.Labels, "assignees": assignees,
		"web_url":    s.URL + "/" + s.opts.Project + "/-/issues/" + strconv.FormatInt(is.IID, 10),
		"created_at": is.Created.Format(time.RFC3339), "updated_at": is.Updated.Format(time.RFC3339)}
}

// paged writes GitLab's offset pagination headers and returns the requested slice bounds.
func (s *Server) paged(w http.ResponseWriter, r *http.Request, n int) (int, int) {
	size, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	size = min(max(size, 1), s.opts.MaxPerPage)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	start, end := min((page-1)*size, n), min(page*size, n)
	w.Header().Set("X-Page", strconv.Itoa(page))
	w.Header().Set("X-Per-Page", strconv.Itoa(size))
	w.Header().Set("X-Total", strconv.Itoa(n))
	if end < n {
		w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
	} else {
		w.Header().Set("X-Next-Page", "")
	}
	return start, end
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request, _ []byte) {
	state := r.URL.Query().Get("state")
	if state != "" && state != "opened" && state != "closed" && state != "all" {
		writeMessage(w, http.StatusBadRequest, "state does not have a valid value")
		return
	}
	var matched []*Issue
	for _, is := range s.issues {
		if state == "" || state == "all" || is.State == state {
			matched = append(matched, is)
		}
	}
	if r.URL.Query().Get("sort") != "asc" {
		slices.Reverse(matched)
	}
	start, end := s.paged(w, r, len(matched))
	out := []any{}
	for _, is := range matched[start:end] {
		out = append(out, s.issueJSON(is))
	}
	body, _ := json.Marshal(out)
	etag := fmt.Sprintf(`W/"%x"`, sha256.Sum256(append(body, w.Header().Get("X-Next-Page")...)))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// listLinks answers an issue's links from its point of view: "is_blocked_by" for its
// blockers, "blocks" for the issues it blocks.
func (s *Server) listLinks(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	out := []any{}
	link := func(other *Issue, linkType string) {
		rel := s.issueJSON(other)
		rel["issue_link_id"], rel["link_type"] = 9000+other.IID*100+is.IID, linkType
		rel["link_created_at"], rel["link_updated_at"] = other.Updated.Format(time.RFC3339), other.Updated.Format(time.RFC3339)
		rel["references"] = map[string]any{"short": "#" + strconv.FormatInt(other.IID, 10), "relative": "#" + strconv.FormatInt(other.IID, 10),
			"full": s.opts.Project + "#" + strconv.FormatInt(other.IID, 10)}
		out = append(out, rel)
	}
	for _, iid := range is.BlockedBy {
		if other := s.find(iid); other != nil {
			link(other, "is_blocked_by")
		}
	}
	for _, other := range s.issues {
		if slices.Contains(other.BlockedBy, is.IID) {
			link(other, "blocks")
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) issueFor(w http.ResponseWriter, r *http.Request) *Issue {
	iid, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	is := s.find(iid)
	if is == nil {
		writeMessage(w, http.StatusNotFound, "404 Not found")
	}
	return is
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, _ []byte) {
	if is := s.issueFor(w, r); is != nil {
		writeJSON(w, http.StatusOK, s.issueJSON(is))
	}
}

// labelList reads a label option, which clients send as a comma-joined string or a list.
func labelList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var joined string
	if json.Unmarshal(raw, &joined) == nil && joined != "" {
		return strings.Split(joined, ",")
	}
	return nil
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var in struct {
		StateEvent   string          `json:"state_event"`
		AddLabels    json.RawMessage `json:"add_labels"`
		RemoveLabels json.RawMessage `json:"remove_labels"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeMessage(w, http.StatusBadRequest, "malformed body")
		return
	}
	switch in.StateEvent {
	case "":
	case "close":
		is.State = "closed"
	case "reopen":
		is.State = "opened"
	default:
		writeMessage(w, http.StatusBadRequest, "state_event does not have a valid value")
		return
	}
	for _, l := range labelList(in.RemoveLabels) {
		is.Labels = slices.DeleteFunc(is.Labels, func(x string) bool { return x == l })
	}
	for _, l := range labelList(in.AddLabels) {
		if !slices.Contains(is.Labels, l) {
			is.Labels = append(is.Labels, l)
		}
	}
	is.Updated = is.Updated.Add(time.Second)
	writeJSON(w, http.StatusOK, s.issueJSON(is))
}

func noteJSON(n *Note) map[string]any {
	return map[string]any{"id": n.ID, "body": n.Body, "system": n.System, "author": map[string]any{"username": n.Author},
		"created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "noteable_iid": n.IID}
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var mine []*Note
	for _, n := range s.notes {
		if n.IID == is.IID {
			mine = append(mine, n)
		}
	}
	start, end := s.paged(w, r, len(mine))
	out := []any{}
	for _, n := range mine[start:end] {
		out = append(out, noteJSON(n))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if json.Unmarshal(body, &in) != nil || in.Body == "" {
		writeMessage(w, http.StatusBadRequest, "body is missing")
		return
	}
	s.nextID++
	n := &Note{ID: s.nextID, IID: is.IID, Body: in.Body, Author: Username}
	s.notes = append(s.notes, n)
	is.Updated = is.Updated.Add(time.Second)
	writeJSON(w, http.StatusCreated, noteJSON(n))
}

func (s *Server) noteFor(w http.ResponseWriter, r *http.Request) *Note {
	is := s.issueFor(w, r)
	if is == nil {
		return nil
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, n := range s.notes {
		if n.ID == id && n.IID == is.IID {
			return n
		}
	}
	writeMessage(w, http.StatusNotFound, "404 Not found")
	return nil
}

func (s *Server) updateNote(w http.ResponseWriter, r *http.Request, body []byte) {
	n := s.noteFor(w, r)
	if n == nil {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if json.Unmarshal(body, &in) != nil || in.Body == "" {
		writeMessage(w, http.StatusBadRequest, "body is missing")
		return
	}
	n.Body = in.Body
	writeJSON(w, http.StatusOK, noteJSON(n))
}

func (s *Server) deleteNote(w http.ResponseWriter, r *http.Request, _ []byte) {
	n := s.noteFor(w, r)
	if n == nil {
		return
	}
	s.notes = slices.DeleteFunc(s.notes, func(x *Note) bool { return x == n })
	w.WriteHeader(http.StatusNoContent)
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Uploads returns the project's uploads, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.uploads))
	for _, u := range s.uploads {
		out = append(out, *u)
	}
	return out
}

// upload stores the multipart "file" part and answers as GitLab does, with the Markdown that
// links it and its paths.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, body []byte) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		writeMessage(w, http.StatusBadRequest, "file is missing")
		return
	}
	form := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := form.NextPart()
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "file is missing")
			return
		}
		if part.FormName() != "file" || part.FileName() == "" {
			continue
		}
		data, _ := io.ReadAll(part)
		s.nextID++
		u := &Upload{ID: s.nextID, Filename: part.FileName(), Secret: fmt.Sprintf("%032x", s.nextID), Body: data}
		s.uploads = append(s.uploads, u)
		rel := "/uploads/" + u.Secret + "/" + u.Filename
		alt := strings.TrimSuffix(u.Filename, path.Ext(u.Filename))
		writeJSON(w, http.StatusCreated, map[string]any{"id": u.ID, "alt": alt, "url": rel,
			"full_path": "/" + s.opts.Project + rel, "markdown": "[" + alt + "](" + rel + ")"})
		return
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg})
}
