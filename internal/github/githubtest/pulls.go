package githubtest

import (
	"net/http"
	"slices"
	"strings"
)

// repoFor finds the request's repository, answering 404 when there is none. Call with s.mu
// held.
func (s *Server) repoFor(w http.ResponseWriter, r *http.Request) *repoState {
	repo := s.repos[repoKey(r.PathValue("owner"), r.PathValue("repo"))]
	if repo == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
	}
	return repo
}

// repoAndNumber finds the request's repository and reads the positive number in path segment
// name, answering 404 and returning a nil repository when either is missing. Call with s.mu
// held.
func (s *Server) repoAndNumber(w http.ResponseWriter, r *http.Request, name string) (*repoState, int64) {
	repo := s.repoFor(w, r)
	if repo == nil {
		return nil, 0
	}
	n, ok := pathInt(w, r, name)
	if !ok {
		return nil, 0
	}
	return repo, n
}

// pullFor finds the request's repository and pull request, answering 404 when either is
// missing. Call with s.mu held.
func (s *Server) pullFor(w http.ResponseWriter, r *http.Request) (*repoState, *PullRequest) {
	repo, number := s.repoAndNumber(w, r, "number")
	if repo == nil {
		return nil, nil
	}
	p := repo.pull(int(number))
	if p == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
	}
	return repo, p
}

func (s *Server) getRepository(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if repo := s.repoFor(w, r); repo != nil {
		writeJSON(w, http.StatusOK, s.repoJSON(repo.FullName(), repo.Fork, repo.Private, repo.DefaultBranch))
	}
}

func (s *Server) repoJSON(fullName string, fork, private bool, defaultBranch string) map[string]any {
	owner, name, _ := strings.Cut(fullName, "/")
	return map[string]any{
		"name": name, "full_name": fullName, "owner": map[string]any{"login": owner},
		"fork": fork, "private": private, "default_branch": defaultBranch,
		"html_url": "https://" + s.opts.WebHost + "/" + fullName,
	}
}

func (s *Server) pullJSON(repo *repoState, p *PullRequest) map[string]any {
	headRepo := p.HeadRepo
	if headRepo == "" {
		headRepo = repo.FullName()
	}
	state, merged := p.State, p.State == StateMerged
	var mergedAt any
	if merged {
		state, mergedAt = StateClosed, timestamp(p.UpdatedAt)
	}
	reviewers := []any{}
	for _, login := range p.RequestedReviewers {
		reviewers = append(reviewers, map[string]any{"login": login})
	}
	return map[string]any{
		"number": p.Number, "node_id": p.NodeID, "state": state, "title": p.Title, "body": p.Body,
		"html_url": "https://" + s.opts.WebHost + "/" + repo.FullName() + "/pull/" + itoa(p.Number),
		"draft":    p.Draft, "merged": merged, "merged_at": mergedAt,
		"user":      map[string]any{"login": p.Author},
		"head":      map[string]any{"ref": p.Head, "sha": repo.headSHA(p), "repo": s.repoJSON(headRepo, headRepo != repo.FullName(), repo.Private, repo.DefaultBranch)},
		"base":      map[string]any{"ref": p.Base, "sha": repo.resolve(p.Base), "repo": s.repoJSON(repo.FullName(), repo.Fork, repo.Private, repo.DefaultBranch)},
		"mergeable": p.Mergeable, "mergeable_state": p.MergeableState,
		"requested_reviewers": reviewers,
		"created_at":          timestamp(p.CreatedAt), "updated_at": timestamp(p.UpdatedAt),
	}
}

// pullSimpleJSON is a pull request as listings answer it (GitHub's pull-request-simple): the
// merge fields, which GitHub computes per pull request, are only in a single one's answer.
func (s *Server) pullSimpleJSON(repo *repoState, p *PullRequest) map[string]any {
	out := s.pullJSON(repo, p)
	delete(out, "merged")
	delete(out, "mergeable")
	delete(out, "mergeable_state")
	return out
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = StateOpen
	}
	headOwner, headBranch, qualified := strings.Cut(q.Get("head"), ":")
	if !qualified {
		headOwner, headBranch = "", headOwner
	}
	var matched []*PullRequest
	for _, p := range repo.pulls {
		open := p.State == StateOpen
		if (state == StateOpen && !open) || (state == StateClosed && open) {
			continue
		}
		if headBranch != "" && p.Head != headBranch {
			continue
		}
		if headOwner != "" {
			owner := repo.Owner
			if p.HeadRepo != "" {
				owner, _, _ = strings.Cut(p.HeadRepo, "/")
			}
			if !strings.EqualFold(owner, headOwner) {
				continue
			}
		}
		if base := q.Get("base"); base != "" && p.Base != base {
			continue
		}
		matched = append(matched, p)
	}
	// GitHub's default order is newest first.
	if q.Get("direction") != "asc" {
		slices.Reverse(matched)
	}
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, matched, func(p *PullRequest) map[string]any { return s.pullSimpleJSON(repo, p) }))
}

func (s *Server) createPull(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title, Body, Head, Base *string
		Draft                   bool
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	switch {
	case in.Title == nil || strings.TrimSpace(*in.Title) == "":
		writeValidation(w, "title is missing")
		return
	case in.Head == nil || in.Base == nil:
		writeValidation(w, "head and base are required")
		return
	}
	head := *in.Head
	if owner, branch, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, repo.Owner) {
			writeValidation(w, "head repository "+owner+" is not a fork this fake knows")
			return
		}
		head = branch
	}
	if _, ok := repo.Branches[head]; !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []any{map[string]any{"resource": "PullRequest", "field": "head", "code": "invalid"}}})
		return
	}
	if _, ok := repo.Branches[*in.Base]; !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []any{map[string]any{"resource": "PullRequest", "field": "base", "code": "invalid"}}})
		return
	}
	for _, p := range repo.pulls {
		if p.State == StateOpen && p.Head == head && p.Base == *in.Base && p.HeadRepo == "" {
			writeValidation(w, "A pull request already exists for "+repo.Owner+":"+head+".")
			return
		}
	}
	body := ""
	if in.Body != nil {
		body = *in.Body
	}
	p := s.addPull(repo, PullRequest{Title: *in.Title, Body: body, Head: head, Base: *in.Base, Draft: in.Draft})
	writeJSON(w, http.StatusCreated, s.pullJSON(repo, p))
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if repo, p := s.pullFor(w, r); p != nil {
		writeJSON(w, http.StatusOK, s.pullJSON(repo, p))
	}
}

func (s *Server) editPull(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title, Body, State, Base *string
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
	if in.Title != nil {
		if strings.TrimSpace(*in.Title) == "" {
			writeValidation(w, "title cannot be blank")
			return
		}
		p.Title = *in.Title
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.State != nil && (*in.State == StateOpen || *in.State == StateClosed) && p.State != StateMerged {
		p.State = *in.State
	}
	if in.Base != nil {
		p.Base = *in.Base
	}
	p.UpdatedAt = s.now()
	writeJSON(w, http.StatusOK, s.pullJSON(repo, p))
}

func (s *Server) requestReviewers(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reviewers []string `json:"reviewers"`
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
	for _, login := range in.Reviewers {
		if strings.EqualFold(login, p.Author) {
			writeValidation(w, "Review cannot be requested from pull request author.")
			return
		}
	}
	for _, login := range in.Reviewers {
		if !slices.Contains(p.RequestedReviewers, login) {
			p.RequestedReviewers = append(p.RequestedReviewers, login)
		}
	}
	writeJSON(w, http.StatusCreated, s.pullSimpleJSON(repo, p))
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, p := s.pullFor(w, r)
	if p == nil {
		return
	}
	matched := where(repo.reviews, func(rv *Review) bool { return rv.Number == p.Number })
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, matched, func(rv *Review) map[string]any {
		return map[string]any{
			"id": rv.ID, "user": map[string]any{"login": rv.Author}, "state": rv.State, "body": rv.Body,
			"commit_id": rv.CommitID, "submitted_at": timestamp(rv.SubmittedAt),
			"html_url": "https://" + s.opts.WebHost + "/" + repo.FullName() + "/pull/" + itoa(p.Number) + "#pullrequestreview-" + itoa64(rv.ID),
		}
	}))
}
