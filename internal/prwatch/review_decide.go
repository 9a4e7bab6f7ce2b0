package prwatch

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/prompt"
)

// reviewView is what one cycle learned about a pull request from GitHub.
type reviewView struct {
	PR       github.PullRequest
	Reviews  []github.Review
	Comments []Comment
}

// reviewGuards are the facts from outside GitHub a decision depends on.
type reviewGuards struct {
	Now       time.Time
	CIOwned   bool
	RunActive bool
	Paused    bool
}

// reviewRules are the configured limits.
type reviewRules struct {
	ReworkDelay time.Duration
	StaleAfter  time.Duration
	// Ignored holds lowercased logins whose feedback never starts a rework.
	Ignored []string
}

// reviewDecision is the outcome of one decision: either a new phase to record (Action empty)
// or an action to transition.
type reviewDecision struct {
	// Row is the decision table row that matched, for logs and tests.
	Row    string
	Phase  string
	Action string
	// Cleanup forgets the PR: merged, closed or stale.
	Cleanup  bool
	Reason   string
	Comments []Comment
	Conflict *prompt.Conflict
	// Escalate moves the issue to the escalation state instead of the action's state.
	Escalate bool
}

// decideReview is the review poller's decision table: the first matching row wins, then
// its guards.
func decideReview(rec reviewRecord, v reviewView, g reviewGuards, r reviewRules) reviewDecision {
	pr := v.PR
	fork := pr.CrossRepository()
	latest := reviewerActivity(v, r.Ignored)
	switch {
	case pr.State == github.PullRequestMerged:
		return reviewDecision{Row: "merged", Cleanup: true, Reason: "merged"}
	case pr.State == github.PullRequestClosed:
		return reviewDecision{Row: "closed", Cleanup: true, Reason: "closed"}
	case conflicting(pr):
		key := pr.HeadSHA + "|" + pr.BaseSHA
		switch {
		case fork:
			return reviewDecision{Row: "conflict", Phase: phaseForkRefused}
		case slices.Contains(rec.ConflictKeys, key):
			return reviewDecision{Row: "conflict", Phase: phaseWatching, Reason: "conflict " + key + " already sent"}
		case g.RunActive:
			return reviewDecision{Row: "conflict", Phase: phaseConflictActiveRun}
		case rec.ConflictRetries >= maxConflictRetries:
			if rec.Phase == phaseConflictEscalated {
				return reviewDecision{Row: "conflict", Phase: phaseConflictEscalated}
			}
			return reviewDecision{Row: "conflict", Action: actionConflict, Escalate: true, Reason: "merge conflict retry limit reached"}
		case g.Paused:
			return reviewDecision{Row: "conflict", Phase: deferredPhase(actionConflict)}
		}
		now := g.Now
		return reviewDecision{Row: "conflict", Action: actionConflict, Conflict: &prompt.Conflict{
			PRURL: pr.URL, PRTitle: pr.Title, PRNumber: pr.Number, HeadRef: pr.HeadRef, HeadSHA: pr.HeadSHA,
			BaseRef: pr.BaseRef, BaseSHA: pr.BaseSHA, Mergeable: mergeableText(pr.Mergeable), MergeState: pr.MergeableState,
			Key: key, ObservedAt: &now, Attempt: rec.ConflictRetries + 1, MaxRetries: maxConflictRetries}}
	}
	decision := reviewState(v.Reviews, r.Ignored)
	newComments := unaddressed(rec, v.Comments, r.Ignored)
	changesRequested := decision == "CHANGES_REQUESTED"
	if changesRequested || (decision != "APPROVED" && len(newComments) > 0) {
		row := "new_comments"
		if changesRequested {
			row = "changes_requested"
			newComments = withChangeRequests(newComments, rec, v.Reviews, r.Ignored)
		}
		switch {
		case fork:
			return reviewDecision{Row: row, Phase: phaseForkRefused}
		case !latest.After(rec.LastActionAt) && !rec.LastActionAt.IsZero():
			return reviewDecision{Row: row, Phase: rec.Phase, Reason: "activity already handled"}
		case g.CIOwned:
			return reviewDecision{Row: row, Phase: phaseCIOwned}
		case g.Now.Sub(latest) < r.ReworkDelay:
			return reviewDecision{Row: row, Phase: phaseCoolingDown}
		case g.Paused:
			return reviewDecision{Row: row, Phase: deferredPhase(actionRework)}
		}
		return reviewDecision{Row: row, Action: actionRework, Comments: newComments}
	}
	if decision == "APPROVED" {
		switch {
		case rec.LastAction == actionMerge && !latest.After(rec.LastActionAt):
			return reviewDecision{Row: "approved", Phase: rec.Phase, Reason: "approval already handled"}
		case g.Paused:
			return reviewDecision{Row: "approved", Phase: deferredPhase(actionMerge)}
		}
		return reviewDecision{Row: "approved", Action: actionMerge}
	}
	if idle := latestActivity(pr, v); !idle.IsZero() && g.Now.Sub(idle) > r.StaleAfter {
		return reviewDecision{Row: "stale", Cleanup: true, Reason: "stale"}
	}
	return reviewDecision{Row: "otherwise", Phase: phaseWatching}
}

// conflicting is GitHub's "this branch has conflicts": mergeable false or state dirty.
func conflicting(pr github.PullRequest) bool {
	return (pr.Mergeable != nil && !*pr.Mergeable) || strings.EqualFold(pr.MergeableState, "dirty")
}

func mergeableText(m *bool) string {
	switch {
	case m == nil:
		return "UNKNOWN"
	case *m:
		return "MERGEABLE"
	}
	return "CONFLICTING"
}

// reviewState is GitHub's reviewDecision computed from the reviews: each un-ignored
// reviewer's latest approving or change-requesting review counts, and one request for
// changes outweighs any approval.
func reviewState(reviews []github.Review, ignored []string) string {
	latest := map[string]string{}
	for _, rv := range sortedReviews(reviews) {
		who := strings.ToLower(rv.Author)
		if slices.Contains(ignored, who) {
			continue
		}
		switch rv.State {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			latest[who] = rv.State
		}
	}
	state := ""
	for _, s := range latest {
		switch {
		case s == "CHANGES_REQUESTED":
			return s
		case s == "APPROVED":
			state = s
		}
	}
	return state
}

func sortedReviews(reviews []github.Review) []github.Review {
	out := slices.Clone(reviews)
	slices.SortStableFunc(out, func(a, b github.Review) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	return out
}

// cursorTime is when the last addressed comment was written: taken from the comment when it
// still exists, from the stored time when it was deleted.
func cursorTime(rec reviewRecord, comments []Comment) time.Time {
	if rec.LastAddressedCommentID != "" {
		for _, c := range comments {
			if c.ID == rec.LastAddressedCommentID {
				return c.CreatedAt
			}
		}
	}
	return rec.LastAddressedCommentAt
}

// unaddressed are the non-empty comments of un-ignored authors written after the cursor.
func unaddressed(rec reviewRecord, comments []Comment, ignored []string) []Comment {
	after := cursorTime(rec, comments)
	var out []Comment
	for _, c := range comments {
		if strings.TrimSpace(c.Body) == "" || slices.Contains(ignored, strings.ToLower(c.Author)) {
			continue
		}
		if c.CreatedAt.After(after) && c.ID != rec.LastAddressedCommentID {
			out = append(out, c)
		}
	}
	return out
}

// withChangeRequests adds the bodies of un-ignored change-requesting reviews after the cursor
// that are not already among the comments.
func withChangeRequests(comments []Comment, rec reviewRecord, reviews []github.Review, ignored []string) []Comment {
	after := cursorTime(rec, comments)
	for _, rv := range reviews {
		id := fmt.Sprintf("review-%d", rv.ID)
		if rv.State != "CHANGES_REQUESTED" || slices.Contains(ignored, strings.ToLower(rv.Author)) || !rv.SubmittedAt.After(after) {
			continue
		}
		if slices.ContainsFunc(comments, func(c Comment) bool { return c.ID == id }) {
			continue
		}
		comments = append(comments, Comment{ID: id, Kind: kindReview, Author: rv.Author, Body: rv.Body, URL: rv.URL, CreatedAt: rv.SubmittedAt})
	}
	return comments
}

// reviewerActivity is when an un-ignored reviewer last commented or reviewed; the agent's
// own pushes and comments do not count, so they can neither restart the cooldown nor make
// handled feedback look new.
func reviewerActivity(v reviewView, ignored []string) time.Time {
	var latest time.Time
	for _, c := range v.Comments {
		if c.CreatedAt.After(latest) && !slices.Contains(ignored, strings.ToLower(c.Author)) {
			latest = c.CreatedAt
		}
	}
	for _, rv := range v.Reviews {
		if rv.SubmittedAt.After(latest) && !slices.Contains(ignored, strings.ToLower(rv.Author)) {
			latest = rv.SubmittedAt
		}
	}
	return latest
}

// latestActivity is the newest of the PR's update time and its feedback; a PR idle past
// stale_after_days is forgotten.
func latestActivity(pr github.PullRequest, v reviewView) time.Time {
	latest := pr.UpdatedAt
	for _, c := range v.Comments {
		if c.CreatedAt.After(latest) {
			latest = c.CreatedAt
		}
	}
	for _, rv := range v.Reviews {
		if rv.SubmittedAt.After(latest) {
			latest = rv.SubmittedAt
		}
	}
	return latest
}
