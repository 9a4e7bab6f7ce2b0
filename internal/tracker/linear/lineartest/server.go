// Package lineartest provides a stateful fake of Linear's GraphQL API for tests: teams with
// workflow states, projects, users, issues with labels, parents and relations (blocks, related,
// duplicate), comments and linked attachments.
// Every operation it receives is first validated against Linear's published schema and
// rejected (failing the test) when it does not validate; valid operations are executed
// against the fake's state, returning exactly the fields they select. Faults (HTTP statuses,
// GraphQL errors, malformed bodies, delays, broken page chains, rate limiting) can be injected.
package lineartest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// APIKey is the key the fake accepts unless Options.APIKey says otherwise.
const APIKey = "lin_api_test_key"

// Team is a Linear team with its workflow states.
type Team struct {
	ID, Key, Name string
	States        []State
}

// State is a workflow state.
type State struct{ ID, Name string }

// Project is a Linear project.
type Project struct{ ID, Name, SlugID string }

// Issue is the fake's stored issue. Zero ID and Identifier are filled in by AddIssue.
type Issue struct {
	ID, Identifier, Title, Description string
	// Priority is sent as a Float, as Linear does.
	Priority    float64
	StateName   string
	TeamKey     string
	ProjectID   string
	AssigneeID  string
	Labels      []string
	BranchName  string
	URL         string
	Attachments []string
	// BlockedBy lists ids of issues that block this one (inverse "blocks" relations).
	BlockedBy []string
	// Related lists ids of issues related to this one without blocking (inverse "related"
	// relations: the listed issue is the relation's source).
	Related []string
	// DuplicateOf lists ids of issues this one duplicates ("duplicate" relations it is the
	// source of).
	DuplicateOf []string
	// ParentID is the id of the parent issue, if any.
	ParentID  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Comment is a stored comment.
type Comment struct {
	// AuthorID is the viewer's id for comments made through the API, "user-<Author>" for
	// comments a test adds.
	ID, IssueID, Body, Author, AuthorID string
	CreatedAt, UpdatedAt                time.Time
}

// Attachment is a URL linked to an issue through attachmentLinkURL or attachmentCreate.
type Attachment struct {
	ID, IssueID, URL, Title string
}

// Options configures a Server.
type Options struct {
	// APIKey is the Authorization value accepted; defaults to APIKey.
	APIKey string
	// ViewerID is the id "viewer" returns; defaults to "user-viewer".
	ViewerID string
}

// Server is a running fake. Its methods are safe to call while the client is talking to it.
type Server struct {
	URL string

	t      testing.TB
	schema *ast.Schema
	opts   Options

	mu         sync.Mutex
	teams      []*Team
	projects   []*Project
	issues     []*Issue
	comments   []*Comment
	links      []*Attachment
	uploads    []*Upload
	nextID     int
	clock      time.Time
	requests   []Request
	rejected   []string
	mutations  []Mutation
	faults     []*Fault
	rateLimit  *rateLimit
	identifier map[string]int
}

// Request records one request the fake received.
type Request struct {
	Operation string
	Variables map[string]any
	Auth      string
}

// Mutation records one mutation field the fake was asked to execute, variables resolved.
type Mutation struct {
	// Field is the mutation's name in the schema (issueUpdate, commentCreate, ...).
	Field string
	// ID is the field's id argument, when it has one.
	ID string
	// Input is the field's input argument, when it has one.
	Input map[string]any
}

// NewServer starts a fake Linear validating against schema (see Schema) and stops it when
// the test ends.
func NewServer(t testing.TB, schema *ast.Schema, opts Options) *Server {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = APIKey
	}
	if opts.ViewerID == "" {
		opts.ViewerID = "user-viewer"
	}
	s := &Server{
		t: t, schema: schema, opts: opts,
		clock:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		identifier: map[string]int{},
	}
	hs := httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// AddTeam stores a team; states default to Todo, In Progress, Human Review, Done, Canceled.
func (s *Server) AddTeam(team Team) *Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	if team.ID == "" {
		team.ID = s.newID("team")
	}
	if team.Name == "" {
		team.Name = team.Key
	}
	if len(team.States) == 0 {
		for _, name := range []string{"Todo", "In Progress", "Human Review", "Done", "Canceled"} {
			team.States = append(team.States, State{Name: name})
		}
	}
	for i := range team.States {
		if team.States[i].ID == "" {
			team.States[i].ID = s.newID("state")
		}
	}
	s.teams = append(s.teams, &team)
	return &team
}

// AddProject stores a project.
func (s *Server) AddProject(p Project) *Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = s.newID("project")
	}
	s.projects = append(s.projects, &p)
	return &p
}

// AddIssue stores an issue in its team, numbering its identifier (ENG-1, ENG-2, ...) and
// stamping creation times one minute apart when they are not set, and returns the stored copy.
func (s *Server) AddIssue(is Issue) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.team(is.TeamKey) == nil {
		s.t.Fatalf("lineartest: AddIssue %q: no team with key %q (AddTeam first)", is.Title, is.TeamKey)
	}
	if is.ID == "" {
		is.ID = s.newID("issue")
	}
	if is.Identifier == "" {
		s.identifier[is.TeamKey]++
		is.Identifier = is.TeamKey + "-" + strconv.Itoa(s.identifier[is.TeamKey])
	}
	if is.StateName == "" {
		is.StateName = "Todo"
	}
	if is.CreatedAt.IsZero() {
		s.clock = s.clock.Add(time.Minute)
		is.CreatedAt = s.clock
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = is.CreatedAt
	}
	stored := is
	s.issues = append(s.issues, &stored)
	return is
}

// AddComment stores a comment written by author.
func (s *Server) AddComment(issueID, author, body string) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addComment(issueID, "user-"+author, author, body)
}

// Issue returns the stored issue with the given id or identifier.
func (s *Server) Issue(idOrIdentifier string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.issue(idOrIdentifier); is != nil {
		return *is, true
	}
	return Issue{}, false
}

// Comments returns the issue's stored comments, oldest first.
func (s *Server) Comments(issueID string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.IssueID == issueID {
			out = append(out, *c)
		}
	}
	return out
}

// Links returns the attachments linked to the issue through attachmentLinkURL or
// attachmentCreate, oldest first.
func (s *Server) Links(issueID string) []Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Attachment
	for _, a := range s.links {
		if a.IssueID == issueID {
			out = append(out, *a)
		}
	}
	return out
}

// Requests returns every request received so far, rejected ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount returns how many requests named operation arrived ("" counts all).
func (s *Server) RequestCount(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if operation == "" || r.Operation == operation {
			n++
		}
	}
	return n
}

// Rejected describes every request the fake refused as invalid (not JSON, outside Linear's
// schema, variables of the wrong type) or could not execute because it does not implement
// what the request asks for. Each one has already failed the test; Rejected lets a test that
// drives the fake from another process say so next to its own diagnostics.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// Mutations returns every mutation field the fake was asked to execute, oldest first.
func (s *Server) Mutations() []Mutation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mutation(nil), s.mutations...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) newID(kind string) string {
	s.nextID++
	return fmt.Sprintf("%s-%04d", kind, s.nextID)
}

func (s *Server) team(key string) *Team {
	for _, t := range s.teams {
		if t.Key == key {
			return t
		}
	}
	return nil
}

func (s *Server) project(id string) *Project {
	for _, p := range s.projects {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (s *Server) issue(idOrIdentifier string) *Issue {
	for _, is := range s.issues {
		if is.ID == idOrIdentifier || is.Identifier == idOrIdentifier {
			return is
		}
	}
	return nil
}

func (s *Server) addComment(issueID, authorID, author, body string) *Comment {
	s.clock = s.clock.Add(time.Minute)
	c := &Comment{ID: s.newID("comment"), IssueID: issueID, Body: body, Author: author, AuthorID: authorID, CreatedAt: s.clock, UpdatedAt: s.clock}
	s.comments = append(s.comments, c)
	return c
}

type requestBody struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, uploadPath) {
		s.serveUpload(w, r)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	var body requestBody
	if err := json.Unmarshal(raw, &body); err != nil {
		s.reject("lineartest: request body is not JSON: %v", err)
		writeErrors(w, http.StatusBadRequest, "", "request body is not JSON")
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Operation: body.OperationName, Variables: body.Variables, Auth: r.Header.Get("Authorization")})
	fault := s.takeFault(body.OperationName)
	limited := s.applyRateLimit(w.Header())
	s.mu.Unlock()

	if fault != nil && fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Header.Get("Authorization") != s.opts.APIKey {
		writeErrors(w, http.StatusUnauthorized, "AUTHENTICATION_ERROR", "Authentication required, not authenticated")
		return
	}
	doc, errs := Validate(s.schema, body.Query)
	if len(errs) > 0 {
		s.reject("lineartest: rejected %s: does not validate against Linear's schema: %v", body.OperationName, errs)
		writeErrors(w, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED", errs.Error())
		return
	}
	op := doc.Operations.ForName(body.OperationName)
	if op == nil {
		s.reject("lineartest: rejected request: operation %q not found in its document", body.OperationName)
		writeErrors(w, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED", "unknown operation "+body.OperationName)
		return
	}
	vars, verr := validator.VariableValues(s.schema, op, body.Variables)
	if verr != nil {
		s.reject("lineartest: rejected %s: variables do not validate: %v", body.OperationName, verr)
		writeErrors(w, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED", verr.Error())
		return
	}
	if limited {
		writeErrors(w, http.StatusBadRequest, "RATELIMITED", "Rate limit exceeded")
		return
	}
	if fault != nil && fault.respond(w) {
		return
	}
	s.mu.Lock()
	data, execErr := s.execute(op, vars, fault)
	s.mu.Unlock()
	if execErr != nil {
		if strings.HasPrefix(execErr.Error(), "lineartest does not implement") {
			s.reject("lineartest: %s: %v", body.OperationName, execErr)
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []any{map[string]any{"message": execErr.Error()}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// reject records a refused request and fails the test with the same words.
func (s *Server) reject(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.rejected = append(s.rejected, msg)
	s.mu.Unlock()
	s.t.Errorf("%s", msg)
}

func writeErrors(w http.ResponseWriter, status int, code, msg string) {
	e := map[string]any{"message": msg}
	if code != "" {
		e["extensions"] = map[string]any{"code": code}
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
