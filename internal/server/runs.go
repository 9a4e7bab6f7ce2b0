package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/symphony-go/symphony/internal/store"
)

// Run history limits of GET /api/v1/runs.
const (
	defaultRunsLimit = 50
	maxRunsLimit     = 500
)

// knownRunStatuses are the statuses the runs filter accepts.
var knownRunStatuses = store.Statuses()

// Runs is the document of GET /api/v1/runs.
type Runs struct {
	Filters RunFilters  `json:"filters"`
	Count   int         `json:"count"`
	Runs    []store.Run `json:"runs"`
}

// RunFilters echoes the filters a runs request applied.
type RunFilters struct {
	Issue  string `json:"issue,omitempty"`
	Repo   string `json:"repo,omitempty"`
	Status string `json:"status,omitempty"`
	Limit  int    `json:"limit"`
}

func (s *Server) getRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for key := range q {
		if !slices.Contains([]string{"issue", "repo", "status", "limit"}, key) {
			writeError(w, http.StatusBadRequest, codeInvalidRunsFilter, "unknown runs filter "+strconv.Quote(key)+"; use issue, repo, status or limit")
			return
		}
	}
	f := RunFilters{Issue: q.Get("issue"), Repo: q.Get("repo"), Status: q.Get("status"), Limit: defaultRunsLimit}
	if f.Status != "" && !slices.Contains(knownRunStatuses, store.Status(f.Status)) {
		writeError(w, http.StatusBadRequest, codeInvalidRunsFilter, "status "+strconv.Quote(f.Status)+" is not a run status")
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxRunsLimit {
			writeError(w, http.StatusBadRequest, codeInvalidRunsFilter, "limit must be a whole number from 1 to "+strconv.Itoa(maxRunsLimit)+", got "+strconv.Quote(v))
			return
		}
		f.Limit = n
	}
	runs, err := s.opts.Runs.Runs(r.Context(), store.RunFilter{Issue: f.Issue, RepoKey: f.Repo, Status: store.Status(f.Status), Limit: f.Limit})
	if err != nil {
		s.opts.Logger.Error("api: reading run history failed", "error", err.Error())
		writeError(w, http.StatusInternalServerError, codeInternal, "reading run history failed: "+err.Error())
		return
	}
	if runs == nil {
		runs = []store.Run{}
	}
	writeJSON(w, http.StatusOK, Runs{Filters: f, Count: len(runs), Runs: runs})
}
