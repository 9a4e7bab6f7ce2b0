package githubtest

import (
	"fmt"
	"net/http"
	"strings"
)

func (s *Server) runJSON(repo *repoState, run *WorkflowRun) map[string]any {
	return map[string]any{
		"id": run.ID, "name": run.Name, "workflow_id": run.WorkflowID, "head_branch": run.HeadBranch,
		"head_sha": run.HeadSHA, "event": run.Event, "status": run.Status, "conclusion": nilIfEmpty(run.Conclusion),
		"run_attempt": run.RunAttempt, "check_suite_id": run.CheckSuiteID,
		"html_url": fmt.Sprintf("https://%s/%s/actions/runs/%d", s.opts.WebHost, repo.FullName(), run.ID),
	}
}

func (s *Server) listWorkflowRuns(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	headSHA := r.URL.Query().Get("head_sha")
	matched := where(repo.runs, func(run *WorkflowRun) bool { return headSHA == "" || run.HeadSHA == headSHA })
	out := pageJSON(s, w, r, matched, func(run *WorkflowRun) map[string]any { return s.runJSON(repo, run) })
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(matched), "workflow_runs": out})
}

// findRun returns the request's run, answering 404 when there is none. Call with s.mu held.
func (s *Server) findRun(w http.ResponseWriter, r *http.Request) (*repoState, *WorkflowRun) {
	repo, id := s.repoAndNumber(w, r, "id")
	if repo == nil {
		return nil, nil
	}
	run := first(repo.runs, func(run *WorkflowRun) bool { return run.ID == id })
	if run == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return nil, nil
	}
	return repo, run
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, run := s.findRun(w, r)
	if run == nil {
		return
	}
	jobs := pageJSON(s, w, r, run.Jobs, func(job Job) map[string]any {
		return map[string]any{
			"id": job.ID, "run_id": run.ID, "name": job.Name, "status": job.Status, "conclusion": nilIfEmpty(job.Conclusion),
			"html_url": fmt.Sprintf("https://%s/%s/actions/runs/%d/job/%d", s.opts.WebHost, repo.FullName(), run.ID, job.ID),
			"steps":    []any{map[string]any{"number": 1, "name": "Run " + job.Name, "status": job.Status, "conclusion": nilIfEmpty(job.Conclusion)}},
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(run.Jobs), "jobs": jobs})
}

func (s *Server) rerunFailedJobs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, run := s.findRun(w, r)
	if run == nil {
		return
	}
	if run.Status != "completed" {
		writeMessage(w, http.StatusForbidden, "This workflow run is not completed")
		return
	}
	repo.reruns[run.ID]++
	// GitHub starts a new attempt of the run; its jobs' outcome stays what the test set.
	run.RunAttempt++
	writeJSON(w, http.StatusCreated, map[string]any{})
}

// jobLogRedirect answers like GitHub: a 302 to a pre-signed archive URL on another path.
func (s *Server) jobLogRedirect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, id := s.repoAndNumber(w, r, "id")
	if repo == nil {
		return
	}
	if _, found := repo.job(id); !found {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/_blobs/job-logs/%d?sig=presigned", s.URL, id))
	w.WriteHeader(http.StatusFound)
}

func (s *Server) jobLogBlob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := parseID(r.PathValue("id"))
	for _, repo := range s.repos {
		if job, ok := repo.job(id); ok {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(job.Log))
			return
		}
	}
	http.NotFound(w, r)
}

func (r *repoState) job(id int64) (Job, bool) {
	for _, run := range r.runs {
		for _, job := range run.Jobs {
			if job.ID == id {
				return job, true
			}
		}
	}
	return Job{}, false
}

// graphQL serves the one mutation the client sends; anything else is a test failure.
func (s *Server) graphQL(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if !strings.Contains(in.Query, "markPullRequestReadyForReview") {
		s.t.Errorf("githubtest: unsupported GraphQL operation %q", in.Query)
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": "unsupported operation"}}})
		return
	}
	id, _ := in.Variables["id"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, repo := range s.repos {
		for _, p := range repo.pulls {
			if p.NodeID == id {
				p.Draft = false
				writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
					"markPullRequestReadyForReview": map[string]any{"pullRequest": map[string]any{"isDraft": false}}}})
				return
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"markPullRequestReadyForReview": nil},
		"errors": []any{map[string]any{"type": "NOT_FOUND", "message": fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}}})
}
