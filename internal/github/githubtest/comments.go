package githubtest

import (
	"net/http"
	"strconv"
	"time"
)

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) issueCommentJSON(repo *repoState, c *IssueComment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.Author},
		"html_url":   "https://" + s.opts.WebHost + "/" + repo.FullName() + "/pull/" + itoa(c.Number) + "#issuecomment-" + itoa64(c.ID),
		"created_at": timestamp(c.CreatedAt), "updated_at": timestamp(c.UpdatedAt),
	}
}

func (s *Server) reviewCommentJSON(repo *repoState, c *ReviewComment) map[string]any {
	out := map[string]any{
		"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.Author}, "path": c.Path,
		"commit_id": c.CommitID, "pull_request_review_id": c.ReviewID,
		"html_url":   "https://" + s.opts.WebHost + "/" + repo.FullName() + "/pull/" + itoa(c.Number) + "#discussion_r" + itoa64(c.ID),
		"created_at": timestamp(c.CreatedAt), "updated_at": timestamp(c.UpdatedAt),
	}
	if c.Line > 0 {
		out["line"] = c.Line
	}
	if c.InReplyTo != 0 {
		out["in_reply_to_id"] = c.InReplyTo
	}
	return out
}

func (s *Server) listIssueComments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.threadFor(w, r)
	if repo == nil {
		return
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeValidation(w, "since is not an ISO 8601 timestamp")
			return
		}
		since = t
	}
	matched := where(repo.issueComments, func(c *IssueComment) bool { return c.Number == number && !c.UpdatedAt.Before(since) })
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, matched, func(c *IssueComment) map[string]any { return s.issueCommentJSON(repo, c) }))
}

func (s *Server) createIssueComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.threadFor(w, r)
	if repo == nil {
		return
	}
	if in.Body == "" {
		writeValidation(w, "body is missing")
		return
	}
	now := s.now()
	c := &IssueComment{ID: s.newID(), Number: number, Author: s.opts.Login, Body: in.Body, CreatedAt: now, UpdatedAt: now}
	repo.issueComments = append(repo.issueComments, c)
	writeJSON(w, http.StatusCreated, s.issueCommentJSON(repo, c))
}

func (s *Server) editIssueComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, id := s.repoAndNumber(w, r, "id")
	if repo == nil {
		return
	}
	c := first(repo.issueComments, func(c *IssueComment) bool { return c.ID == id })
	if c == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	c.Body, c.UpdatedAt = in.Body, s.now()
	writeJSON(w, http.StatusOK, s.issueCommentJSON(repo, c))
}

func (s *Server) listReviewComments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, p := s.pullFor(w, r)
	if p == nil {
		return
	}
	matched := where(repo.reviewComments, func(c *ReviewComment) bool { return c.Number == p.Number })
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, matched, func(c *ReviewComment) map[string]any { return s.reviewCommentJSON(repo, c) }))
}

// createReviewComment serves both forms of the endpoint: a reply (in_reply_to) and a new
// inline comment (commit_id, path, line).
func (s *Server) createReviewComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body      string `json:"body"`
		InReplyTo int64  `json:"in_reply_to"`
		CommitID  string `json:"commit_id"`
		Path      string `json:"path"`
		Line      int    `json:"line"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, p := s.pullFor(w, r)
	if p == nil {
		return
	}
	if in.InReplyTo != 0 {
		s.reply(w, repo, p, in.InReplyTo, in.Body)
		return
	}
	if in.Body == "" || in.Path == "" || in.CommitID == "" || in.Line <= 0 {
		writeValidation(w, "body, commit_id, path and line are required")
		return
	}
	now := s.now()
	c := &ReviewComment{ID: s.newID(), Number: p.Number, Author: s.opts.Login, Body: in.Body, Path: in.Path, Line: in.Line, CommitID: in.CommitID, CreatedAt: now, UpdatedAt: now}
	repo.reviewComments = append(repo.reviewComments, c)
	writeJSON(w, http.StatusCreated, s.reviewCommentJSON(repo, c))
}

func (s *Server) replyToReviewComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, p := s.pullFor(w, r)
	if p == nil {
		return
	}
	id, ok := pathInt(w, r, "id")
	if !ok {
		return
	}
	s.reply(w, repo, p, id, in.Body)
}

// reply threads a reply under comment id. Call with s.mu held.
func (s *Server) reply(w http.ResponseWriter, repo *repoState, p *PullRequest, id int64, body string) {
	parent := first(repo.reviewComments, func(c *ReviewComment) bool { return c.ID == id && c.Number == p.Number })
	if parent == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	if body == "" {
		writeValidation(w, "body is missing")
		return
	}
	// GitHub threads a reply to a reply under the thread's first comment.
	root := parent.ID
	if parent.InReplyTo != 0 {
		root = parent.InReplyTo
	}
	now := s.now()
	reply := &ReviewComment{ID: s.newID(), InReplyTo: root, Number: p.Number, Author: s.opts.Login, Body: body,
		Path: parent.Path, Line: parent.Line, CommitID: parent.CommitID, CreatedAt: now, UpdatedAt: now}
	repo.reviewComments = append(repo.reviewComments, reply)
	writeJSON(w, http.StatusCreated, s.reviewCommentJSON(repo, reply))
}
