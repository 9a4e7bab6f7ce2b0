package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/gitremote"
)

// PrefixGitHub is the prefix of the GitHub tools, whatever the tracker.
const PrefixGitHub = "github_"

// githubScopeKeys name a repository, branch or pull request. The session's origin and branch
// decide them, so a model that tries to choose one is refused outright.
var githubScopeKeys = append([]string{"repo", "repository", "owner", "remote", "url", "head", "base", "branch",
	"current_branch", "currentBranch", "ref", "refspec", "pr", "pr_number", "pull_number", "number"}, scopeKeys...)

// Default bound on the CI log github_get_failed_run_log returns (github.failed_run_log_max_bytes).
const defaultFailedLogMaxBytes = 65536

// GitHubClient is the part of GitHub's API the tools call; *github.Client implements it.
type GitHubClient interface {
	Repository(ctx context.Context, repo github.Repo) (github.Repository, error)
	// PullRequestForBranch finds the pull request whose head is branch in repo itself; none
	// is an error with code github.CodeNotFound.
	PullRequestForBranch(ctx context.Context, repo github.Repo, branch string) (github.PullRequest, error)
	CreatePullRequest(ctx context.Context, repo github.Repo, pr github.NewPullRequest) (github.PullRequest, error)
	EditPullRequest(ctx context.Context, repo github.Repo, number int, edit github.PullRequestEdit) (github.PullRequest, error)
	IssueComments(ctx context.Context, repo github.Repo, number int, since time.Time) ([]github.Comment, error)
	CreateIssueComment(ctx context.Context, repo github.Repo, number int, body string) (github.Comment, error)
	ReviewComments(ctx context.Context, repo github.Repo, number int) ([]github.ReviewComment, error)
	ReplyToReviewComment(ctx context.Context, repo github.Repo, number int, commentID int64, body string) (github.ReviewComment, error)
	Reviews(ctx context.Context, repo github.Repo, number int) ([]github.Review, error)
	CheckRuns(ctx context.Context, repo github.Repo, ref string) ([]github.CheckRun, error)
	CombinedStatus(ctx context.Context, repo github.Repo, ref string) (github.CombinedStatus, error)
	WorkflowRuns(ctx context.Context, repo github.Repo, headSHA string) ([]github.WorkflowRun, error)
	FailedJobLogs(ctx context.Context, repo github.Repo, runID int64, maxLines int) ([]github.JobLog, error)
	RerunFailedJobs(ctx context.Context, repo github.Repo, runID int64) error
}

var _ GitHubClient = (*github.Client)(nil)

// DependencyGate holds a push or pull request whose change adds dependency sources outside
// the operator's allow-lists (dependency_audit). internal/depaudit is wired to it.
type DependencyGate interface {
	// Held returns the new dependency sources of the change from baseRef to headRef in the
	// workspace that still need an operator's approval; none means the change may leave.
	Held(ctx context.Context, workspace, baseRef, headRef string) ([]string, error)
}

// PullRequestRecorder learns the pull request a run opened, so the run record shows it.
type PullRequestRecorder interface {
	RecordPullRequest(ctx context.Context, repoKey, runID, url string) error
}

// GitHubOptions give a session whose workspace's origin is a GitHub repository the github_*
// tools. Origin is captured by gitremote.Capture when the session starts.
type GitHubOptions struct {
	Client GitHubClient
	Origin gitremote.Origin
	// Token is the operator's GitHub token; only the git child of a push or fetch gets it.
	Token string
	// Draft opens pull requests as drafts unless the call says otherwise
	// (github.open_pull_requests_as_draft).
	Draft bool
	// FailedLogMaxBytes bounds github_get_failed_run_log's log (github.failed_run_log_max_bytes);
	// zero means 65536.
	FailedLogMaxBytes int
	// BaseBranch is the branch pull requests target; empty means the repository's default.
	BaseBranch string
	// Dependencies, when set, may hold a push or pull request (dependency_pending_approval).
	Dependencies DependencyGate
	// Runs, when set, records the URL of the pull request the session opened on its run.
	Runs PullRequestRecorder
}

// githubSession is the host's GitHub context.
type githubSession struct {
	GitHubOptions
}

func newGitHubSession(opts GitHubOptions) (*githubSession, error) {
	var missing []string
	if opts.Client == nil {
		missing = append(missing, "Client")
	}
	if opts.Origin.Workspace == "" || opts.Origin.Repo.Name == "" {
		missing = append(missing, "Origin (captured by gitremote.Capture)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tools: GitHub options missing %s", strings.Join(missing, ", "))
	}
	if opts.FailedLogMaxBytes <= 0 {
		opts.FailedLogMaxBytes = defaultFailedLogMaxBytes
	}
	return &githubSession{opts}, nil
}

// Error codes of the GitHub tools beyond gitremote's.
const (
	CodeGitHub                    = "github_request_failed"
	CodeNoPullRequest             = "pull_request_not_found"
	CodePullRequestExists         = "pull_request_already_exists"
	CodeNoFailedRun               = "no_failed_github_actions_run"
	CodeDependencyPendingApproval = "dependency_pending_approval"
	CodeDependencyAuditFailed     = "dependency_audit_failed"
)

// githubFailure turns a client error into the tool's failure, keeping its code when it has one.
func githubFailure(what string, err error) *toolError {
	var ge *github.Error
	if errors.As(err, &ge) && ge.Code != "" {
		return fail(ge.Code, "%s: %v", what, err)
	}
	return fail(CodeGitHub, "%s: %v", what, err)
}

// gitFailure turns a gitremote refusal into the tool's failure, with git's output redacted.
func (h *Host) gitFailure(err error) *toolError {
	var ge *gitremote.Error
	if !errors.As(err, &ge) {
		return fail(gitremote.CodeGitFailed, "%v", err)
	}
	e := fail(ge.Code, "%s", ge.Message)
	if ge.Output != "" {
		e.Details = map[string]any{"output": h.opts.Scanner.Redact(ge.Output)}
	}
	return e
}
