package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
)

// prLookupTimeout bounds the GitHub lookup of one dispatch_pr request, well inside the
// Client's own request timeout, so the CLI hears the lookup's error rather than its own.
const prLookupTimeout = 10 * time.Second

// codePRLookupFailed answers a dispatch_pr whose pull request could not be read from GitHub.
const codePRLookupFailed = "pr_lookup_failed"

// DispatchPRRequest is the body of POST /api/v1/control/dispatch_pr: the pull request by
// number or URL (exactly one), what the agent should do, and the repository key whose origin
// holds it (default: the primary repository).
type DispatchPRRequest struct {
	Number int    `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	Intent string `json:"intent,omitempty"`
	Repo   string `json:"repo,omitempty"`
}

// Target is the pull request the request names, as `symphony pr` takes it: a number or a URL.
func (r DispatchPRRequest) Target() string {
	if r.Number != 0 {
		return strconv.Itoa(r.Number)
	}
	return strings.TrimSpace(r.URL)
}

// DispatchPRResponse answers a dispatched pull-request run; the run itself goes on in the
// service and shows in /api/v1/state and /api/v1/runs under issue_id.
type DispatchPRResponse struct {
	Dispatched      bool   `json:"dispatched"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	RepoKey         string `json:"repo_key"`
	URL             string `json:"url"`
}

// PRResolver looks a requested pull request up (off the orchestrator loop) and returns the
// repository key and the pull request to run. It refuses forks and closed pull requests with
// an *orchestrator.Refusal and bad requests (unknown repository key, a URL of another
// repository) with an *InvalidRequestError.
type PRResolver func(ctx context.Context, req DispatchPRRequest) (repoKey string, pr prompt.PullRequest, err error)

// InvalidRequestError is a request a PRResolver cannot act on as asked.
type InvalidRequestError struct{ Err error }

func (e *InvalidRequestError) Error() string { return e.Err.Error() }
func (e *InvalidRequestError) Unwrap() error { return e.Err }

func (s *Server) postDispatchPR(w http.ResponseWriter, r *http.Request) {
	var req DispatchPRRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if (req.Number == 0) == (strings.TrimSpace(req.URL) == "") || req.Number < 0 {
		writeError(w, http.StatusUnprocessableEntity, codeInvalidRequest, `the body must name the pull request by a positive number or by url, not both: {"number":7}`)
		return
	}
	if s.opts.ResolvePR == nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "this service was started without a GitHub pull-request lookup")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), prLookupTimeout)
	defer cancel()
	repoKey, pr, err := s.opts.ResolvePR(ctx, req)
	if err != nil {
		var invalid *InvalidRequestError
		if errors.As(err, &invalid) {
			writeError(w, http.StatusUnprocessableEntity, codeInvalidRequest, invalid.Error())
		} else if !writeRefusal(w, err) {
			writeError(w, http.StatusBadGateway, codePRLookupFailed, err.Error())
		}
		return
	}
	if err := s.opts.Orchestrator.DispatchPR(repoKey, pr); err != nil {
		if !writeRefusal(w, err) {
			controlFailed(w, err)
		}
		return
	}
	is := orchestrator.PRIssue(repoKey, pr)
	writeJSON(w, http.StatusAccepted, DispatchPRResponse{Dispatched: true, IssueID: is.ID, IssueIdentifier: is.Identifier, RepoKey: repoKey, URL: pr.URL})
}

// writeRefusal answers a pull-request run refusal (pr_fork, pr_closed, paused,
// already_running, no_free_slot, dispatch_blocked) with 409 and its code; it reports whether
// err was one.
func writeRefusal(w http.ResponseWriter, err error) bool {
	var refusal *orchestrator.Refusal
	if !errors.As(err, &refusal) {
		return false
	}
	writeError(w, http.StatusConflict, refusal.Code, refusal.Message)
	return true
}
