// Package githubtest provides a stateful fake of GitHub's REST API (and the one GraphQL
// mutation Symphony sends) for tests: repositories with branches and their head SHAs, pull
// requests, issues with labels, state and assignees, conversation and review comments,
// reviews, requested reviewers, check runs, commit statuses, and Actions runs with jobs and
// logs. Every request must carry the test token. Reads carry ETags and answer a matching
// If-None-Match with 304, free of rate-limit cost, as GitHub does. Faults (5xx, primary and
// secondary rate limits, hangs, malformed JSON, any status) can be injected for the next N
// requests or for matching paths, and every request is logged with the status it got. Its
// routes, answers and the request bodies the client sends are checked against GitHub's
// published REST description (description_test.go, description_check_test.go).
package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the token the fake accepts unless Options.Token says otherwise.
const Token = "ghp_symphonyTestToken0000000000000000"

// Options configures a Server.
type Options struct {
	// Token is the accepted token; defaults to Token.
	Token string
	// Login is the authenticated user's login; defaults to "symphony-bot".
	Login string
	// WebHost is the host of html_url values; defaults to github.com.
	WebHost string
	// MaxPerPage caps per_page so tests reach several pages with few items; defaults to 100.
	MaxPerPage int
	// Now tells the time for timestamps and rate-limit resets; defaults to time.Now.
	Now func() time.Time
}

// Request records one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// Authorization is the header as received ("" when absent).
	Authorization string
	Body          []byte
	// Status is the status the fake answered with (0 while the request is still being served,
	// or when the client gave up first); 304 answers cost no rate-limit budget.
	Status int
}

// Server is a running fake. Its methods are safe to call while a client talks to it.
type Server struct {
	// URL is the REST base; GraphQL is served at URL + "/graphql".
	URL string

	t    testing.TB
	opts Options
	done chan struct{}

	mu        sync.Mutex
	repos     map[string]*repoState
	nextID    int64
	requests  []Request
	faults    []*Fault
	rateLimit *rateLimit
}

// NewServer starts a fake GitHub and stops it when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.Login == "" {
		opts.Login = "symphony-bot"
	}
	if opts.WebHost == "" {
		opts.WebHost = "github.com"
	}
	if opts.MaxPerPage <= 0 {
		opts.MaxPerPage = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{t: t, opts: opts, done: make(chan struct{}), repos: map[string]*repoState{}, nextID: 1000}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	// Registered after hs.Close, so it runs first: hanging handlers return before Close waits.
	t.Cleanup(func() { close(s.done) })
	s.URL = hs.URL
	return s
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount counts the requests whose "METHOD path" equals route, e.g.
// "POST /repos/o/r/pulls".
func (s *Server) RequestCount(route string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method+" "+r.Path == route {
			n++
		}
	}
	return n
}

// endpoint is one route the fake serves behind the token and fault guard.
type endpoint struct {
	pattern string
	handler http.HandlerFunc
}

// endpoints lists every API route, so tests can hold each one against GitHub's description.
func (s *Server) endpoints() []endpoint {
	return []endpoint{
		{"GET /user", s.getUser},
		{"GET /repos/{owner}/{repo}", s.getRepository},
		{"GET /repos/{owner}/{repo}/pulls", s.listPulls},
		{"POST /repos/{owner}/{repo}/pulls", s.createPull},
		{"GET /repos/{owner}/{repo}/pulls/{number}", s.getPull},
		{"PATCH /repos/{owner}/{repo}/pulls/{number}", s.editPull},
		{"POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers", s.requestReviewers},
		{"GET /repos/{owner}/{repo}/pulls/{number}/reviews", s.listReviews},
		{"GET /repos/{owner}/{repo}/pulls/{number}/comments", s.listReviewComments},
		{"POST /repos/{owner}/{repo}/pulls/{number}/comments", s.createReviewComment},
		{"POST /repos/{owner}/{repo}/pulls/{number}/comments/{id}/replies", s.replyToReviewComment},
		{"GET /repos/{owner}/{repo}/issues", s.listIssues},
		{"GET /repos/{owner}/{repo}/issues/{number}", s.getIssue},
		{"PATCH /repos/{owner}/{repo}/issues/{number}", s.editIssue},
		{"GET /repos/{owner}/{repo}/issues/{number}/sub_issues", s.listSubIssues},
		{"GET /repos/{owner}/{repo}/issues/{number}/parent", s.getParentIssue},
		{"DELETE /repos/{owner}/{repo}/issues/comments/{id}", s.deleteIssueComment},
		{"GET /repos/{owner}/{repo}/issues/{number}/comments", s.listIssueComments},
		{"POST /repos/{owner}/{repo}/issues/{number}/comments", s.createIssueComment},
		{"PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.editIssueComment},
		{"GET /repos/{owner}/{repo}/commits/{ref}/check-runs", s.listCheckRuns},
		{"GET /repos/{owner}/{repo}/commits/{ref}/status", s.combinedStatus},
		{"GET /repos/{owner}/{repo}/actions/runs", s.listWorkflowRuns},
		{"GET /repos/{owner}/{repo}/actions/runs/{id}/jobs", s.listJobs},
		{"POST /repos/{owner}/{repo}/actions/runs/{id}/rerun-failed-jobs", s.rerunFailedJobs},
		{"GET /repos/{owner}/{repo}/actions/jobs/{id}/logs", s.jobLogRedirect},
		{"POST /graphql", s.graphQL},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, e := range s.endpoints() {
		mux.HandleFunc(e.pattern, s.guard(e.handler))
	}
	// The log archive stands in for GitHub's pre-signed blob storage: no token is needed there,
	// and the request log shows whether one was sent anyway.
	mux.HandleFunc("GET /_blobs/job-logs/{id}", s.logged(s.jobLogBlob))
	mux.HandleFunc("/", s.logged(func(w http.ResponseWriter, r *http.Request) {
		s.t.Errorf("githubtest: unexpected request %s %s", r.Method, r.URL.Path)
		writeMessage(w, http.StatusNotFound, "Not Found")
	}))
	return mux
}

// logged records the request before serving it.
func (s *Server) logged(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Authorization: r.Header.Get("Authorization"), Body: body})
		index := len(s.requests) - 1
		s.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w}
		h(rec, r)
		s.mu.Lock()
		s.requests[index].Status = rec.status
		s.mu.Unlock()
	}
}

// guard logs, applies injected faults, checks the token and the rate-limit budget, then
// serves the request.
func (s *Server) guard(h http.HandlerFunc) http.HandlerFunc {
	return s.logged(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fault := s.takeFault(r)
		s.mu.Unlock()
		if fault != nil && s.applyFault(w, r, fault) {
			return
		}
		if !s.authorized(r.Header.Get("Authorization")) {
			writeMessage(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		s.mu.Lock()
		limited := s.applyRateLimit(w.Header())
		s.mu.Unlock()
		if limited {
			writeMessage(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
			return
		}
		if r.Method == http.MethodGet {
			s.serveConditional(w, r, h)
			return
		}
		h(w, r)
	})
}

// NotModified counts the GETs answered 304 Not Modified, which GitHub does not count
// against the rate limit.
func (s *Server) NotModified() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Status == http.StatusNotModified {
			n++
		}
	}
	return n
}

func (s *Server) authorized(header string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok {
		return false
	}
	return (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "token")) && token == s.opts.Token
}

func (s *Server) getUser(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"login": s.opts.Login, "id": 1, "type": "User"})
}

// page slices items by the page and per_page parameters and writes a Link header pointing at
// the next and last pages, as GitHub does.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) []T {
	size := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		size = v
	}
	size = min(size, s.opts.MaxPerPage)
	n := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		n = v
	}
	last := max((len(items)+size-1)/size, 1)
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(size))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", s.URL, r.URL.Path, q.Encode(), rel)
	}
	var links []string
	if n < last {
		links = append(links, link(n+1, "next"), link(last, "last"))
	}
	if n > 1 {
		links = append(links, link(1, "first"), link(n-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	start := (n - 1) * size
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+size, len(items))]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeMessage(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "documentation_url": "https://docs.github.com/rest"})
}

// writeValidation answers 422 the way GitHub refuses an invalid write.
func writeValidation(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed",
		"errors":  []any{map[string]any{"resource": "PullRequest", "code": "custom", "message": message}},
	})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeMessage(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return 0, false
	}
	return v, true
}

func timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
