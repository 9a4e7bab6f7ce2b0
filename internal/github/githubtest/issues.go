package githubtest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Issue is a stored issue. Zero Number, State and Author are filled in. Issues and pull
// requests share one number sequence per repository, as on GitHub.
type Issue struct {
	Number      int
	Title, Body string
	// State is StateOpen or StateClosed.
	State     string
	Labels    []string
	Assignees []string
	Author    string
	// Parent is the number of the issue this one is a sub-issue of (same repository), or 0.
	Parent    int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AddIssue stores an issue, numbering it when Number is zero, and returns it.
func (s *Server) AddIssue(fullName string, is Issue) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	if is.Number == 0 {
		is.Number = repo.nextNumber()
	}
	if is.State == "" {
		is.State = StateOpen
	}
	if is.Author == "" {
		is.Author = "octocat"
	}
	is.Labels, is.Assignees = slices.Clone(is.Labels), slices.Clone(is.Assignees)
	s.stamp(&is.CreatedAt, &is.UpdatedAt)
	stored := is
	repo.issues = append(repo.issues, &stored)
	return is
}

// Issue returns a stored issue as it is now.
func (s *Server) Issue(fullName string, number int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.mustRepo(fullName).issue(number); is != nil {
		out := *is
		out.Labels, out.Assignees = slices.Clone(is.Labels), slices.Clone(is.Assignees)
		return out, true
	}
	return Issue{}, false
}

// UpdateIssue changes a stored issue in place (as a person editing it on GitHub would), bumps
// its update time and returns it as it is afterwards.
func (s *Server) UpdateIssue(fullName string, number int, change func(*Issue)) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).issue(number)
	if is == nil {
		s.t.Fatalf("githubtest: no issue %s#%d", fullName, number)
		return Issue{}
	}
	change(is)
	is.UpdatedAt = s.now()
	return *is
}

func (r *repoState) issue(number int) *Issue {
	return first(r.issues, func(is *Issue) bool { return is.Number == number })
}

// nextNumber is the number GitHub would give the repository's next issue or pull request.
func (r *repoState) nextNumber() int {
	n := 1
	for _, p := range r.pulls {
		n = max(n, p.Number+1)
	}
	for _, is := range r.issues {
		n = max(n, is.Number+1)
	}
	return n
}

func (s *Server) issueJSON(repo *repoState, is *Issue) map[string]any {
	labels := []any{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	assignees := []any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, map[string]any{"login": a})
	}
	return map[string]any{
		"number": is.Number, "state": is.State, "title": is.Title, "body": is.Body,
		"repository_url": s.URL + "/repos/" + repo.FullName(),
		"html_url":       "https://" + s.opts.WebHost + "/" + repo.FullName() + "/issues/" + itoa(is.Number),
		"user":           map[string]any{"login": is.Author},
		"labels":         labels,
		"assignees":      assignees,
		"created_at":     timestamp(is.CreatedAt), "updated_at": timestamp(is.UpdatedAt),
	}
}

// pullAsIssueJSON is a pull request as the Issues API lists it: with a pull_request key.
func (s *Server) pullAsIssueJSON(repo *repoState, p *PullRequest) map[string]any {
	state := p.State
	if state == StateMerged {
		state = StateClosed
	}
	return map[string]any{
		"number": p.Number, "state": state, "title": p.Title, "body": p.Body,
		"repository_url": s.URL + "/repos/" + repo.FullName(),
		"html_url":       "https://" + s.opts.WebHost + "/" + repo.FullName() + "/pull/" + itoa(p.Number),
		"user":           map[string]any{"login": p.Author},
		"labels":         []any{},
		"assignees":      []any{},
		"pull_request":   map[string]any{"url": s.URL + "/repos/" + repo.FullName() + "/pulls/" + itoa(p.Number)},
		"created_at":     timestamp(p.CreatedAt), "updated_at": timestamp(p.UpdatedAt),
	}
}

// listIssues serves the Issues API listing: issues and pull requests together, filtered by
// state (default open), ordered by creation (newest first unless direction=asc).
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "":
		state = StateOpen
	case StateOpen, StateClosed, "all":
	default:
		writeValidation(w, "state must be open, closed or all")
		return
	}
	type row struct {
		created time.Time
		number  int
		render  func() map[string]any
	}
	var rows []row
	for _, is := range repo.issues {
		if state == "all" || is.State == state {
			rows = append(rows, row{is.CreatedAt, is.Number, func() map[string]any { return s.issueJSON(repo, is) }})
		}
	}
	for _, p := range repo.pulls {
		open := p.State == StateOpen
		if state == "all" || (state == StateOpen) == open {
			rows = append(rows, row{p.CreatedAt, p.Number, func() map[string]any { return s.pullAsIssueJSON(repo, p) }})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return a.number - b.number
	})
	if q.Get("direction") != "asc" {
		slices.Reverse(rows)
	}
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, rows, func(x row) map[string]any { return x.render() }))
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.repoAndNumber(w, r, "number")
	if repo == nil {
		return
	}
	if is := repo.issue(int(number)); is != nil {
		writeJSON(w, http.StatusOK, s.issueJSON(repo, is))
		return
	}
	if p := repo.pull(int(number)); p != nil {
		writeJSON(w, http.StatusOK, s.pullAsIssueJSON(repo, p))
		return
	}
	writeMessage(w, http.StatusNotFound, "Not Found")
}

// editIssue applies the fields present in the body: title, body, state, labels (replacing
// them all) and assignees.
func (s *Server) editIssue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title     *string   `json:"title"`
		Body      *string   `json:"body"`
		State     *string   `json:"state"`
		Labels    *[]string `json:"labels"`
		Assignees *[]string `json:"assignees"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.repoAndNumber(w, r, "number")
	if repo == nil {
		return
	}
	is := repo.issue(int(number))
	if is == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	if in.State != nil && *in.State != StateOpen && *in.State != StateClosed {
		writeValidation(w, "state must be open or closed")
		return
	}
	if in.Labels != nil && slices.ContainsFunc(*in.Labels, func(l string) bool { return strings.TrimSpace(l) == "" }) {
		writeValidation(w, "a label name is blank")
		return
	}
	if in.Title != nil {
		is.Title = *in.Title
	}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.State != nil {
		is.State = *in.State
	}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	if in.Assignees != nil {
		is.Assignees = slices.Clone(*in.Assignees)
	}
	is.UpdatedAt = s.now()
	writeJSON(w, http.StatusOK, s.issueJSON(repo, is))
}

// threadFor finds the request's repository and the issue or pull request whose conversation
// the request addresses, answering 404 when either is missing. Call with s.mu held.
func (s *Server) threadFor(w http.ResponseWriter, r *http.Request) (*repoState, int) {
	repo, number := s.repoAndNumber(w, r, "number")
	if repo == nil {
		return nil, 0
	}
	if repo.issue(int(number)) == nil && repo.pull(int(number)) == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return nil, 0
	}
	return repo, int(number)
}

func (s *Server) deleteIssueComment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, id := s.repoAndNumber(w, r, "id")
	if repo == nil {
		return
	}
	i := slices.IndexFunc(repo.issueComments, func(c *IssueComment) bool { return c.ID == id })
	if i < 0 {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	repo.issueComments = slices.Delete(repo.issueComments, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listSubIssues(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.threadFor(w, r)
	if repo == nil {
		return
	}
	subs := where(repo.issues, func(is *Issue) bool { return is.Parent == number })
	writeJSON(w, http.StatusOK, pageJSON(s, w, r, subs, func(is *Issue) map[string]any { return s.issueJSON(repo, is) }))
}

func (s *Server) getParentIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, number := s.threadFor(w, r)
	if repo == nil {
		return
	}
	child := repo.issue(number)
	if child == nil || child.Parent == 0 || repo.issue(child.Parent) == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, s.issueJSON(repo, repo.issue(child.Parent)))
}
