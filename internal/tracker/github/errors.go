package github

import (
	"errors"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/tracker"
)

// trackerError maps a GitHub client error onto the tracker error codes. notFound is the code
// a 404 means in the caller's context (issue_not_found, comment_not_found), or "" when a 404
// is just a refused request.
func trackerError(err error, notFound tracker.Code) error {
	if err == nil {
		return nil
	}
	var ge *ghapi.Error
	if !errors.As(err, &ge) {
		return tracker.Errorf(tracker.CodeTrackerRequest, "GitHub: %w", err)
	}
	switch ge.Code {
	case ghapi.CodeRateLimited:
		return &tracker.Error{Code: tracker.CodeRateLimited, Msg: err.Error(), ResetAt: ge.ResetAt, Err: err}
	case ghapi.CodeNotFound:
		if notFound != "" {
			return tracker.Errorf(notFound, "%w", err)
		}
		return tracker.Errorf(tracker.CodeTrackerStatus, "%w", err)
	case ghapi.CodeUnauthorized, ghapi.CodeForbidden, ghapi.CodeMissingToken:
		e := tracker.Errorf(tracker.CodeTrackerStatus, "%w (check GH_TOKEN or GITHUB_TOKEN)", err)
		e.Err = errors.Join(tracker.ErrAuthRejected, err)
		return e
	case ghapi.CodeValidation:
		return tracker.Errorf(tracker.CodeTrackerStatus, "%w", err)
	case ghapi.CodeUnavailable:
		if ge.Status != 0 {
			return tracker.Errorf(tracker.CodeTrackerStatus, "%w", err)
		}
	case ghapi.CodeBadResponse:
		return tracker.Errorf(tracker.CodeTrackerResponse, "%w", err)
	}
	return tracker.Errorf(tracker.CodeTrackerRequest, "%w", err)
}
