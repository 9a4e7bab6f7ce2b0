package githubtest

import (
	"net/http"
	"strconv"
)

func (s *Server) listCheckRuns(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	sha := repo.resolve(r.PathValue("ref"))
	matched := where(repo.checkRuns, func(c *CheckRun) bool { return c.HeadSHA == sha })
	runs := pageJSON(s, w, r, matched, func(c *CheckRun) map[string]any {
		return map[string]any{
			"id": c.ID, "name": c.Name, "head_sha": c.HeadSHA, "status": c.Status, "conclusion": nilIfEmpty(c.Conclusion),
			"details_url": c.DetailsURL, "app": map[string]any{"slug": c.AppSlug},
			"check_suite": map[string]any{"id": c.CheckSuiteID},
			"started_at":  timestamp(c.StartedAt), "completed_at": timestamp(c.CompletedAt),
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(matched), "check_runs": runs})
}

func (s *Server) combinedStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoFor(w, r)
	if repo == nil {
		return
	}
	sha := repo.resolve(r.PathValue("ref"))
	// The latest status per context wins, as on GitHub.
	latest := map[string]*Status{}
	var order []string
	for _, st := range repo.statuses {
		if st.SHA != sha {
			continue
		}
		if _, seen := latest[st.Context]; !seen {
			order = append(order, st.Context)
		}
		latest[st.Context] = st
	}
	var contexts []*Status
	state := "success"
	for _, name := range order {
		st := latest[name]
		contexts = append(contexts, st)
		switch {
		case st.State == "failure" || st.State == "error":
			state = "failure"
		case st.State == "pending" && state != "failure":
			state = "pending"
		}
	}
	if len(contexts) == 0 {
		state = "pending"
	}
	statuses := pageJSON(s, w, r, contexts, func(st *Status) map[string]any {
		return map[string]any{"context": st.Context, "state": st.State, "description": st.Description, "target_url": st.TargetURL}
	})
	writeJSON(w, http.StatusOK, map[string]any{"state": state, "sha": sha, "total_count": len(contexts), "statuses": statuses})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func parseID(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}
