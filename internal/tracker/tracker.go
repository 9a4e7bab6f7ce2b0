// Package tracker defines the boundary between Symphony and an issue tracker: the Tracker
// interface the orchestrator calls, the routing settings every provider honours (issue-level
// scope plus per-repository routes), the shared rules that tag candidates with a repo key and
// detect routing conflicts, and the error kinds a provider reports. Providers live in
// subpackages (linear, local, memory) and all return the normalized issue model.
package tracker

import (
	"context"

	"github.com/symphony-go/symphony/internal/issue"
)

// Tracker is what the orchestrator and the CLI use to read and write work items. Every method
// either returns a complete answer or an error; a failed request is never reported as an
// empty result.
type Tracker interface {
	// FetchCandidates polls every route for issues in the active states and aggregates the
	// results: issues matched by one route are dispatchable and carry that route's RepoKey;
	// issues matched by several non-default routes are returned as conflicts.
	FetchCandidates(ctx context.Context) (Candidates, error)
	// FetchRouteCandidates polls one route for issues in the active states, each tagged with
	// the route's key; callers that stagger polls per route aggregate with Aggregate.
	FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error)
	// FetchIssuesByStates returns every routed issue in one of states (dispatchable and
	// conflicting alike). An empty states list returns nothing without a request.
	FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error)
	// FetchIssueStatesByIDs refreshes the given issues for reconciliation, in the order of
	// ids. Issues that no longer match the issue-level assignee come back with
	// AssignedToWorker false; ids the tracker no longer knows are absent from the result.
	FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error)
	// FetchIssueByIdentifier returns one issue by its human key (ABC-123); a missing issue is
	// an error with code CodeIssueNotFound.
	FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error)
	// UpdateIssueState moves the issue to the workflow state with the given name.
	UpdateIssueState(ctx context.Context, issueID, stateName string) error
	// ListComments returns the issue's comments, oldest first.
	ListComments(ctx context.Context, issueID string) ([]issue.Comment, error)
	// CreateComment adds a comment and returns it as stored.
	CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error)
	// UpdateComment replaces a comment's body and returns it as stored.
	UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error)
	// DeleteComment removes a comment; a missing one is an error with code CodeCommentNotFound.
	DeleteComment(ctx context.Context, issueID, commentID string) error
	// ListSubIssues returns the issue's children, at most MaxRelated.
	ListSubIssues(ctx context.Context, issueID string) ([]IssueRef, error)
	// FetchParent returns the issue's parent, or nil when it has none.
	FetchParent(ctx context.Context, issueID string) (*IssueRef, error)
	// ListRelations returns the issue's relations in both directions, at most MaxRelated each
	// way, typed from this issue's point of view.
	ListRelations(ctx context.Context, issueID string) ([]Relation, error)
	// AttachURL links a URL to the issue under an optional title and returns the link.
	AttachURL(ctx context.Context, issueID, url, title string) (Link, error)
	// AttachFile stores a file with the issue (uploaded to the tracker, or kept beside the
	// issue) and returns the link to it. The caller has already checked the file.
	AttachFile(ctx context.Context, issueID string, f FileUpload) (Link, error)
}

// ViewerIdentifier is implemented by trackers whose API key belongs to a user (Linear): it
// returns that user's id, so comments Symphony's key wrote can be recognised as its own.
type ViewerIdentifier interface {
	ViewerID(ctx context.Context) (string, error)
}

// Candidates is the aggregated result of one poll across all routes.
type Candidates struct {
	// Dispatchable issues matched exactly one route (or only the default route).
	Dispatchable []issue.Issue
	// Conflicts matched several non-default routes; RepoKey is empty and ConflictRepoKeys
	// names every route that matched. They must not be dispatched.
	Conflicts []issue.Issue
}
