// Package jiratest is a stateful fake of the Jira Cloud REST v3 endpoints the Jira tracker
// uses: JQL search (only the project-and-status form the tracker sends; anything else is a
// 400), issue reads, workflow transitions, comments with Atlassian Document Format bodies,
// remote links, attachment uploads (multipart, refused without X-Atlassian-Token: no-check)
// and /myself. It checks Basic auth, logs every request, and injects faults (any status, 429
// with Retry-After, malformed JSON, no answer) for the next N matching requests. Its routes,
// answers and the request bodies the tracker sends are checked against Jira Cloud's published
// platform REST v3 description (openapi_test.go, openapi_check_test.go).
package jiratest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv/fakefault"
)

// Credentials the fake accepts unless Options say otherwise.
const (
	Email     = "symphony@example.test"
	APIToken  = "jira-test-token-0000"
	AccountID = "acct-symphony"
)

// Options configures a Server.
type Options struct {
	ProjectKey string
	// MaxResults caps a search page so tests reach several pages with few issues.
	MaxResults int
	// Statuses are the workflow's statuses; every status can move to every other by a
	// transition named "Move to <status>" (ids are "t<index>").
	Statuses []string
}

// Issue is a stored issue. Zero ID and Key are filled in.
type Issue struct {
	ID, Key     string
	Summary     string
	Description string
	Status      string
	PriorityID  string
	Labels      []string
	AssigneeID  string
	// BlockedBy are keys of issues that block this one (inward Blocks links).
	BlockedBy []string
	Parent    string
	Created   time.Time
}

// Comment is a stored comment; Body is its Atlassian Document Format document.
type Comment struct {
	ID, IssueID, AuthorID string
	Body                  json.RawMessage
}

// Attachment is a stored file.
type Attachment struct {
	ID, IssueID, Filename, MimeType string
	Body                            []byte
}

// Request is one logged request.
type Request struct {
	Method, Path, Query string
	Body                []byte
	Authorization       string
}

// Fault changes the answer to the next Times matching requests (see fakefault.Fault).
type Fault = fakefault.Fault

// Server is a running fake.
type Server struct {
	URL string

	t    testing.TB
	opts Options

	mu          sync.Mutex
	issues      []*Issue
	comments    []*Comment
	remoteLinks map[string][]string
	attachments []*Attachment
	requests    []Request
	faults      fakefault.Queue
	nextID      int
}

// NewServer starts a fake Jira that stops when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.ProjectKey == "" {
		opts.ProjectKey = "ENG"
	}
	if opts.MaxResults <= 0 {
		opts.MaxResults = 100
	}
	if len(opts.Statuses) == 0 {
		opts.Statuses = []string{"To Do", "In Progress", "In Review", "Done"}
	}
	s := &Server{t: t, opts: opts, remoteLinks: map[string][]string{}, nextID: 10000}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// AddIssue stores an issue and returns it with its id and key.
func (s *Server) AddIssue(is Issue) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	if is.ID == "" {
		is.ID = strconv.Itoa(s.nextID)
	}
	if is.Key == "" {
		is.Key = s.opts.ProjectKey + "-" + strconv.Itoa(len(s.issues)+1)
	}
	if is.Status == "" {
		is.Status = s.opts.Statuses[0]
	}
	if is.Created.IsZero() {
		is.Created = time.Date(2026, 12, 1, 10, 0, len(s.issues), 0, time.UTC)
	}
	stored := is
	s.issues = append(s.issues, &stored)
	return is
}

// Issue returns a stored issue by key.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.find(key); is != nil {
		return *is, true
	}
	return Issue{}, false
}

// Comments returns the plain text of an issue's comments, in order.
func (s *Server) Comments(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.find(key)
	var out []string
	for _, c := range s.comments {
		if is != nil && c.IssueID == is.ID {
			out = append(out, adfPlain(c.Body))
		}
	}
	return out
}

// RemoteLinks returns the URLs linked to an issue.
func (s *Server) RemoteLinks(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.find(key); is != nil {
		return slices.Clone(s.remoteLinks[is.ID])
	}
	return nil
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

func (s *Server) find(idOrKey string) *Issue {
	for _, is := range s.issues {
		if is.ID == idOrKey || strings.EqualFold(is.Key, idOrKey) {
			return is
		}
	}
	return nil
}

// endpoint is one route the fake serves behind the fault and auth guard.
type endpoint struct {
	pattern string
	handler func(w http.ResponseWriter, r *http.Request, body []byte)
}

// endpoints lists every route, so tests can hold each one against Jira's description.
func (s *Server) endpoints() []endpoint {
	return []endpoint{
		{"POST /rest/api/3/search/jql", s.search},
		{"GET /rest/api/3/myself", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			writeJSON(w, http.StatusOK, map[string]any{"accountId": AccountID, "displayName": "Symphony"})
		}},
		{"GET /rest/api/3/issue/{id}", s.getIssue},
		{"GET /rest/api/3/issue/{id}/transitions", s.listTransitions},
		{"POST /rest/api/3/issue/{id}/transitions", s.doTransition},
		{"GET /rest/api/3/issue/{id}/comment", s.listComments},
		{"POST /rest/api/3/issue/{id}/comment", s.addComment},
		{"PUT /rest/api/3/issue/{id}/comment/{cid}", s.editComment},
		{"DELETE /rest/api/3/issue/{id}/comment/{cid}", s.deleteComment},
		{"POST /rest/api/3/issue/{id}/remotelink", s.addRemoteLink},
		{"POST /rest/api/3/issue/{id}/attachments", s.addAttachment},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, e := range s.endpoints() {
		mux.HandleFunc(e.pattern, s.guard(e.handler))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.t.Errorf("jiratest: unexpected request %s %s", r.Method, r.URL.Path)
		writeErrors(w, http.StatusNotFound, "no such endpoint")
	})
	return mux
}

// guard logs the request, applies faults and checks Basic auth.
func (s *Server) guard(fn func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, Authorization: r.Header.Get("Authorization")})
		s.mu.Unlock()
		if fakefault.Answer(w, r, s.faults.Take(r), `{"issues": [`, writeErrors) {
			return
		}
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(Email+":"+APIToken))
		if r.Header.Get("Authorization") != want {
			writeErrors(w, http.StatusUnauthorized, "Client must be authenticated to access this resource.")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		fn(w, r, body)
	}
}

// jqlForm is the only JQL the fake understands: the tracker's project-and-status search.
var jqlForm = regexp.MustCompile(`^project = "((?:[^"\\]|\\.)*)" AND status IN \((.*)\) ORDER BY created ASC$`)

var jqlValue = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

func unquote(s string) string { return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s) }

func (s *Server) search(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		JQL           string   `json:"jql"`
		Fields        []string `json:"fields"`
		MaxResults    int      `json:"maxResults"`
		NextPageToken string   `json:"nextPageToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeErrors(w, http.StatusBadRequest, "Invalid request payload.")
		return
	}
	m := jqlForm.FindStringSubmatch(in.JQL)
	if m == nil {
		writeErrors(w, http.StatusBadRequest, "jiratest understands only project = \"K\" AND status IN (...) ORDER BY created ASC, got "+in.JQL)
		return
	}
	if !slices.Contains(in.Fields, "status") || !slices.Contains(in.Fields, "summary") {
		writeErrors(w, http.StatusBadRequest, "the search must ask for the summary and status fields")
		return
	}
	var statuses []string
	for _, v := range jqlValue.FindAllStringSubmatch(m[2], -1) {
		statuses = append(statuses, strings.ToLower(unquote(v[1])))
	}
	var matched []*Issue
	for _, is := range s.issues {
		if strings.EqualFold(unquote(m[1]), s.opts.ProjectKey) && slices.Contains(statuses, strings.ToLower(is.Status)) {
			matched = append(matched, is)
		}
	}
	size := min(max(in.MaxResults, 1), s.opts.MaxResults)
	start := 0
	if in.NextPageToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextPageToken, "page-"))
		if err != nil {
			writeErrors(w, http.StatusBadRequest, "bad nextPageToken")
			return
		}
		start = n
	}
	end := min(start+size, len(matched))
	out := []any{}
	for _, is := range matched[min(start, len(matched)):end] {
		out = append(out, s.issueJSON(is))
	}
	resp := map[string]any{"issues": out, "isLast": end >= len(matched)}
	if end < len(matched) {
		resp["nextPageToken"] = "page-" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) refJSON(is *Issue) map[string]any {
	return map[string]any{"id": is.ID, "key": is.Key, "fields": map[string]any{"summary": is.Summary, "status": map[string]any{"name": is.Status}}}
}

func (s *Server) issueJSON(is *Issue) map[string]any {
	links := []any{}
	for _, key := range is.BlockedBy {
		if b := s.find(key); b != nil {
			links = append(links, map[string]any{"type": map[string]any{"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}, "inwardIssue": s.refJSON(b)})
		}
	}
	for _, other := range s.issues {
		if slices.Contains(other.BlockedBy, is.Key) {
			links = append(links, map[string]any{"type": map[string]any{"name": "Blocks"}, "outwardIssue": s.refJSON(other)})
		}
	}
	subtasks := []any{}
	for _, other := range s.issues {
		if other.Parent == is.Key {
			subtasks = append(subtasks, s.refJSON(other))
		}
	}
	// Jira answers an issue without labels with an empty list, never null.
	labels := []string{}
	labels = append(labels, is.Labels...)
	fields := map[string]any{
		"summary": is.Summary, "status": map[string]any{"name": is.Status}, "labels": labels,
		"created":    is.Created.Format("2006-01-02T15:04:05.000-0700"),
		"updated":    is.Created.Format("2006-01-02T15:04:05.000-0700"),
		"project":    map[string]any{"id": "1", "key": s.opts.ProjectKey, "name": "Engineering"},
		"issuelinks": links, "subtasks": subtasks, "description": nil, "assignee": nil, "priority": nil,
	}
	if is.Description != "" {
		fields["description"] = adfDoc(is.Description)
	}
	if is.AssigneeID != "" {
		fields["assignee"] = map[string]any{"accountId": is.AssigneeID}
	}
	if is.PriorityID != "" {
		fields["priority"] = map[string]any{"id": is.PriorityID}
	}
	if p := s.find(is.Parent); is.Parent != "" && p != nil {
		fields["parent"] = s.refJSON(p)
	}
	return map[string]any{"id": is.ID, "key": is.Key, "fields": fields}
}

func (s *Server) issueFor(w http.ResponseWriter, r *http.Request) *Issue {
	is := s.find(r.PathValue("id"))
	if is == nil {
		writeErrors(w, http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
	}
	return is
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, _ []byte) {
	if is := s.issueFor(w, r); is != nil {
		writeJSON(w, http.StatusOK, s.issueJSON(is))
	}
}

func (s *Server) listTransitions(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	out := []any{}
	for i, st := range s.opts.Statuses {
		if !strings.EqualFold(st, is.Status) {
			out = append(out, map[string]any{"id": "t" + strconv.Itoa(i), "name": "Move to " + st, "to": map[string]any{"name": st}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"transitions": out})
}

func (s *Server) doTransition(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var in struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	json.Unmarshal(body, &in)
	i, err := strconv.Atoi(strings.TrimPrefix(in.Transition.ID, "t"))
	if err != nil || i < 0 || i >= len(s.opts.Statuses) || strings.EqualFold(s.opts.Statuses[i], is.Status) {
		writeErrors(w, http.StatusBadRequest, "Transition id '"+in.Transition.ID+"' is not valid for this issue.")
		return
	}
	is.Status = s.opts.Statuses[i]
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	return map[string]any{"id": c.ID, "author": map[string]any{"accountId": c.AuthorID, "displayName": c.AuthorID}, "body": c.Body,
		"created": "2026-12-01T10:00:00.000+0000", "updated": "2026-12-01T10:00:00.000+0000"}
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var mine []*Comment
	for _, c := range s.comments {
		if c.IssueID == is.ID {
			mine = append(mine, c)
		}
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
	size, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	size = min(max(size, 1), s.opts.MaxResults)
	out := []any{}
	for _, c := range mine[min(start, len(mine)):min(start+size, len(mine))] {
		out = append(out, s.commentJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"startAt": start, "maxResults": size, "total": len(mine), "comments": out})
}

// validDoc reports whether body is {"body": <ADF doc>}, which v3 requires.
func validDoc(body []byte) (json.RawMessage, bool) {
	var in struct {
		Body json.RawMessage `json:"body"`
	}
	var doc struct {
		Type    string `json:"type"`
		Version int    `json:"version"`
	}
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(in.Body, &doc) != nil || doc.Type != "doc" || doc.Version != 1 {
		return nil, false
	}
	return in.Body, true
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	doc, ok := validDoc(body)
	if !ok {
		writeErrors(w, http.StatusBadRequest, "Comment body must be an Atlassian Document Format document.")
		return
	}
	s.nextID++
	c := &Comment{ID: strconv.Itoa(s.nextID), IssueID: is.ID, AuthorID: AccountID, Body: doc}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusCreated, s.commentJSON(c))
}

func (s *Server) commentFor(w http.ResponseWriter, r *http.Request) *Comment {
	is := s.issueFor(w, r)
	if is == nil {
		return nil
	}
	for _, c := range s.comments {
		if c.ID == r.PathValue("cid") && c.IssueID == is.ID {
			return c
		}
	}
	writeErrors(w, http.StatusNotFound, "Can not find a comment for the id: "+r.PathValue("cid")+".")
	return nil
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request, body []byte) {
	c := s.commentFor(w, r)
	if c == nil {
		return
	}
	doc, ok := validDoc(body)
	if !ok {
		writeErrors(w, http.StatusBadRequest, "Comment body must be an Atlassian Document Format document.")
		return
	}
	c.Body = doc
	writeJSON(w, http.StatusOK, s.commentJSON(c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, _ []byte) {
	c := s.commentFor(w, r)
	if c == nil {
		return
	}
	s.comments = slices.DeleteFunc(s.comments, func(x *Comment) bool { return x == c })
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) addRemoteLink(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var in struct {
		Object struct{ URL, Title string } `json:"object"`
	}
	if json.Unmarshal(body, &in) != nil || in.Object.URL == "" || in.Object.Title == "" {
		writeErrors(w, http.StatusBadRequest, "object.url and object.title are required")
		return
	}
	s.nextID++
	s.remoteLinks[is.ID] = append(s.remoteLinks[is.ID], in.Object.URL)
	writeJSON(w, http.StatusCreated, map[string]any{"id": s.nextID, "self": fmt.Sprintf("%s/rest/api/3/issue/%s/remotelink/%d", s.URL, is.ID, s.nextID)})
}

// Attachments returns the files stored on an issue (by id or key), in order.
func (s *Server) Attachments(idOrKey string) []Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.find(idOrKey)
	var out []Attachment
	for _, a := range s.attachments {
		if is != nil && a.IssueID == is.ID {
			out = append(out, *a)
		}
	}
	return out
}

// addAttachment stores the "file" parts of a multipart upload. Like Jira it refuses an upload
// without X-Atlassian-Token: no-check, and answers with the list of stored attachments.
func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	if r.Header.Get("X-Atlassian-Token") != "no-check" {
		writeErrors(w, http.StatusForbidden, "XSRF check failed")
		return
	}
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		writeErrors(w, http.StatusUnsupportedMediaType, "the upload must be multipart/form-data")
		return
	}
	form := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	out := []any{}
	for {
		part, err := form.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeErrors(w, http.StatusBadRequest, "malformed multipart body")
			return
		}
		if part.FormName() != "file" || part.FileName() == "" {
			continue
		}
		data, _ := io.ReadAll(part)
		s.nextID++
		a := &Attachment{ID: strconv.Itoa(s.nextID), IssueID: is.ID, Filename: part.FileName(), MimeType: part.Header.Get("Content-Type"), Body: data}
		s.attachments = append(s.attachments, a)
		out = append(out, map[string]any{
			"self": s.URL + "/rest/api/3/attachment/" + a.ID, "id": a.ID, "filename": a.Filename,
			"author": map[string]any{"accountId": AccountID}, "created": "2026-12-01T10:00:00.000+0000",
			"size": len(data), "mimeType": a.MimeType, "content": s.URL + "/rest/api/3/attachment/content/" + a.ID,
		})
	}
	if len(out) == 0 {
		writeErrors(w, http.StatusBadRequest, "no file part named \"file\"")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErrors(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

// adfDoc is text as a one-paragraph-per-line document, as Jira's editor stores it.
func adfDoc(text string) map[string]any {
	content := []any{}
	for _, line := range strings.Split(text, "\n") {
		content = append(content, map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": line}}})
	}
	return map[string]any{"type": "doc", "version": 1, "content": content}
}

// adfPlain joins the text nodes of a document, paragraphs on separate lines, so tests can
// read what a comment says without the tracker's own converter.
func adfPlain(raw json.RawMessage) string {
	var node struct {
		Type    string            `json:"type"`
		Text    string            `json:"text"`
		Content []json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &node) != nil {
		return ""
	}
	if node.Type == "text" {
		return node.Text
	}
	if node.Type == "hardBreak" {
		return "\n"
	}
	var parts []string
	for _, c := range node.Content {
		parts = append(parts, adfPlain(c))
	}
	sep := ""
	if node.Type == "doc" {
		sep = "\n"
	}
	return strings.Join(parts, sep)
}
