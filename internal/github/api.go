// Package github owns talking to GitHub: a REST client (over go-github) and the few GraphQL
// calls REST cannot make, the repository addressing that maps a git remote to an API base,
// the token taken from the environment, and the rate-limit, retry, timeout and error policy
// every caller shares. Results are small types of this package, so no caller depends on
// go-github's types.
package github

import "time"

// Repo addresses one repository on one GitHub host.
type Repo struct {
	// Host is the lowercased web host, e.g. github.com or an enterprise host.
	Host  string
	Owner string
	Name  string
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Repository is what Symphony needs to know about a repository.
type Repository struct {
	FullName      string
	DefaultBranch string
	Fork          bool
	Private       bool
	HTMLURL       string
}

// User is a GitHub account.
type User struct {
	ID    int64
	Login string
}

// PR states as GitHub's REST API reports them, plus "merged", which REST folds into closed.
const (
	PullRequestOpen   = "open"
	PullRequestClosed = "closed"
	PullRequestMerged = "merged"
)

// PullRequest is one pull request.
type PullRequest struct {
	Number int
	// NodeID is the GraphQL id, needed to mark a draft ready for review.
	NodeID string
	// State is PullRequestOpen, PullRequestClosed or PullRequestMerged.
	State   string
	Title   string
	Body    string
	URL     string
	Draft   bool
	Author  string
	HeadRef string
	HeadSHA string
	// HeadRepo is the head repository's "owner/name"; it differs from BaseRepo for a fork.
	HeadRepo string
	BaseRef  string
	BaseSHA  string
	BaseRepo string
	// Mergeable is nil while GitHub is still computing it.
	Mergeable      *bool
	MergeableState string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CrossRepository reports whether the pull request comes from another repository (a fork).
func (p PullRequest) CrossRepository() bool {
	return p.HeadRepo != "" && p.BaseRepo != "" && !equalFold(p.HeadRepo, p.BaseRepo)
}

// NewPullRequest is what CreatePullRequest sends.
type NewPullRequest struct {
	Title string
	Body  string
	// Head is the branch holding the changes; Base the branch they go into.
	Head  string
	Base  string
	Draft bool
}

// PullRequestEdit changes a pull request; nil fields are left as they are.
type PullRequestEdit struct {
	Title *string
	Body  *string
	// ReadyForReview turns a draft into a ready pull request (a GraphQL mutation: REST cannot).
	ReadyForReview bool
}

// Comment is an issue (conversation) comment on a pull request.
type Comment struct {
	ID        int64
	Author    string
	Body      string
	URL       string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReviewComment is an inline comment on a pull request's diff.
type ReviewComment struct {
	ID        int64
	InReplyTo int64
	ReviewID  int64
	Author    string
	Body      string
	URL       string
	Path      string
	Line      int
	CommitID  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Review is a submitted (or pending) pull request review.
type Review struct {
	ID     int64
	Author string
	// State is APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING.
	State       string
	Body        string
	URL         string
	CommitID    string
	SubmittedAt time.Time
}

// CheckRun is one check run on a commit.
type CheckRun struct {
	ID   int64
	Name string
	// Status is queued, in_progress or completed; Conclusion is set once completed.
	Status      string
	Conclusion  string
	DetailsURL  string
	HeadSHA     string
	AppSlug     string
	StartedAt   time.Time
	CompletedAt time.Time
}

// StatusContext is one commit status (the older statuses API), latest per context.
type StatusContext struct {
	Context string
	// State is error, failure, pending or success.
	State       string
	Description string
	TargetURL   string
}

// CombinedStatus is the combined commit status for a ref.
type CombinedStatus struct {
	// State is failure, pending or success.
	State    string
	SHA      string
	Contexts []StatusContext
}

// WorkflowRun is one GitHub Actions run.
type WorkflowRun struct {
	ID         int64
	Name       string
	WorkflowID int64
	HeadBranch string
	HeadSHA    string
	Event      string
	Status     string
	Conclusion string
	RunAttempt int
	URL        string
}

// WorkflowJob is one job of a workflow run.
type WorkflowJob struct {
	ID         int64
	RunID      int64
	Name       string
	Status     string
	Conclusion string
	URL        string
	Steps      []WorkflowStep
}

// WorkflowStep is one step of a job.
type WorkflowStep struct {
	Number     int64
	Name       string
	Status     string
	Conclusion string
}

// JobLog is the tail of a failed job's log.
type JobLog struct {
	Job WorkflowJob
	// Log holds at most the requested number of final lines.
	Log string
	// Truncated reports that earlier lines (or bytes beyond the download bound) were dropped.
	Truncated bool
}
