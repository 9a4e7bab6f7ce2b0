package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/store"
)

// LearningStore lists what reviewers taught the agents; *store.Store implements it.
type LearningStore interface {
	Learnings(ctx context.Context, repoKey string, limit int) ([]store.Learning, error)
}

var _ LearningStore = (*store.Store)(nil)

// Learning list bounds of GET /api/v1/learnings and /learnings.
const (
	defaultLearningsLimit = 100
	maxLearningsLimit     = 1000
)

// Learnings is the document of GET /api/v1/learnings.
type Learnings struct {
	Filters   LearningFilters  `json:"filters"`
	Count     int              `json:"count"`
	Learnings []store.Learning `json:"learnings"`
}

// LearningFilters echoes the filters a learnings request applied.
type LearningFilters struct {
	Repo  string `json:"repo,omitempty"`
	Limit int    `json:"limit"`
}

// learningFilters reads ?repo= and ?limit=; the message names what is wrong.
func learningFilters(r *http.Request) (LearningFilters, string) {
	q := r.URL.Query()
	for key := range q {
		if !slices.Contains([]string{"repo", "limit"}, key) {
			return LearningFilters{}, "unknown learnings filter " + strconv.Quote(key) + "; use repo or limit"
		}
	}
	f := LearningFilters{Repo: strings.TrimSpace(q.Get("repo")), Limit: defaultLearningsLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLearningsLimit {
			return LearningFilters{}, "limit must be a whole number from 1 to " + strconv.Itoa(maxLearningsLimit) + ", got " + strconv.Quote(v)
		}
		f.Limit = n
	}
	return f, ""
}

func (s *Server) getLearnings(w http.ResponseWriter, r *http.Request) {
	f, problem := learningFilters(r)
	if problem != "" {
		writeError(w, http.StatusBadRequest, codeInvalidLearningsFilter, problem)
		return
	}
	ls, err := s.opts.Learnings.Learnings(r.Context(), f.Repo, f.Limit)
	if err != nil {
		s.opts.Logger.Error("api: reading learnings failed", "error", err.Error())
		writeError(w, http.StatusInternalServerError, codeInternal, "reading learnings failed: "+err.Error())
		return
	}
	if ls == nil {
		ls = []store.Learning{}
	}
	writeJSON(w, http.StatusOK, Learnings{Filters: f, Count: len(ls), Learnings: ls})
}

// learningsView is what /learnings renders.
type learningsView struct {
	page
	Repo  string
	Error string
	Rows  []store.Learning
}

func (s *Server) getLearningsPage(w http.ResponseWriter, r *http.Request) {
	v := learningsView{page: s.page("Learnings", "learnings", s.opts.Now())}
	// Learnings change when a pull request merges, not by the second.
	v.RefreshSeconds = 0
	f, problem := learningFilters(r)
	if problem != "" {
		v.Error = problem
		s.renderPage(w, http.StatusBadRequest, "learnings.html", v)
		return
	}
	v.Repo = f.Repo
	ls, err := s.opts.Learnings.Learnings(r.Context(), f.Repo, f.Limit)
	if err != nil {
		v.Error = "reading learnings: " + err.Error()
		s.renderPage(w, http.StatusInternalServerError, "learnings.html", v)
		return
	}
	v.Rows = ls
	s.renderPage(w, http.StatusOK, "learnings.html", v)
}
