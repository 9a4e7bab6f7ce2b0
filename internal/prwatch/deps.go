package prwatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// GitHub is the part of *github.Client the pollers call.
type GitHub interface {
	PullRequest(ctx context.Context, repo github.Repo, number int) (github.PullRequest, error)
	Reviews(ctx context.Context, repo github.Repo, number int) ([]github.Review, error)
	IssueComments(ctx context.Context, repo github.Repo, number int, since time.Time) ([]github.Comment, error)
	ReviewComments(ctx context.Context, repo github.Repo, number int) ([]github.ReviewComment, error)
	CheckRuns(ctx context.Context, repo github.Repo, ref string) ([]github.CheckRun, error)
	CombinedStatus(ctx context.Context, repo github.Repo, ref string) (github.CombinedStatus, error)
	WorkflowRuns(ctx context.Context, repo github.Repo, headSHA string) ([]github.WorkflowRun, error)
	RerunFailedJobs(ctx context.Context, repo github.Repo, runID int64) error
	FailedJobLogs(ctx context.Context, repo github.Repo, runID int64, maxLines int) ([]github.JobLog, error)
	ReplyToReviewComment(ctx context.Context, repo github.Repo, number int, commentID int64, body string) (github.ReviewComment, error)
	CreateIssueComment(ctx context.Context, repo github.Repo, number int, body string) (github.Comment, error)
	RequestReviewers(ctx context.Context, repo github.Repo, number int, logins []string) error
}

var _ GitHub = (*github.Client)(nil)

// Tracker is the part of tracker.Tracker the pollers call.
type Tracker interface {
	FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error)
	FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error)
	UpdateIssueState(ctx context.Context, issueID, stateName string) error
}

// Store is the part of *store.Store the pollers use.
type Store interface {
	PutPRWatch(ctx context.Context, w store.PRWatch) error
	PRWatches(ctx context.Context, poller string) ([]store.PRWatch, error)
	Runs(ctx context.Context, f store.RunFilter) ([]store.Run, error)
	Pause(ctx context.Context) (store.Pause, error)
}

var _ Store = (*store.Store)(nil)

// Workspaces removes an issue's workspace; *workspace.Manager implements it.
type Workspaces interface {
	Remove(ctx context.Context, repoKey, issueID, identifier string) error
}

// Clock is the orchestrator's clock; the fake one in orchestratortest drives tests.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) interface{ Stop() bool }
}

// Event is something an operator should see: a transition, a clean-up, a back-off.
type Event struct {
	// Kind is e.g. rework_requested, ci_escalated, poller_degraded.
	Kind       string
	Poller     string
	RepoKey    string
	IssueID    string
	Identifier string
	PRURL      string
	Detail     string
}

// Settings are the configured pull_requests.* values.
type Settings struct {
	Interval         time.Duration
	ReviewState      string
	ReworkState      string
	MergeState       string
	EscalateState    string
	ReworkDelay      time.Duration
	StaleAfter       time.Duration
	IgnoredReviewers []string
	ReplyAfter       bool
	RequestReview    bool
	ChecksEnabled    bool
	LogExcerptLines  int
	RetryFailedOnce  bool
	MaxFixAttempts   int
	// BackoffMax caps the per-PR back-off after GitHub errors; DegradedAfter is how many
	// errors in a row report the PR degraded.
	BackoffMax    time.Duration
	DegradedAfter int
}

// Deps is everything the pollers talk to.
type Deps struct {
	Settings Settings
	Tracker  Tracker
	Store    Store
	// GitHubFor returns the client for a pull request's host.
	GitHubFor func(repo github.Repo) (GitHub, error)
	Clock     Clock
	// WorkspacesOn gives the workspaces of a worker host ("" for this machine), where the
	// merged, closed or stale pull request's issue has its workspace; nil leaves workspaces
	// to the age collector and terminal-state clean-up.
	WorkspacesOn func(host string) (Workspaces, error)
	Logger       *slog.Logger
	// Events receives every operator-visible event; nil drops them.
	Events func(Event)
	// Learn reflects on a merged pull request (pull_requests.learnings); nil when learnings
	// are off. It returns what it did for the audit trail ("" when the pull request was
	// captured before), and an error to be asked again later.
	Learn func(ctx context.Context, m Merged) (string, error)
	// AfterStep, when set, is called after each write-ahead step of a transition: after
	// its pending record is stored ("<action>_transition_pending") and after its tracker
	// call ("<action>_tracker_updated"). Only crash tests set it, to kill the process there.
	AfterStep func(ctx context.Context, step string)
}

func (d Deps) check() error {
	var errs []error
	if d.Tracker == nil {
		errs = append(errs, errors.New("prwatch: Deps.Tracker is nil"))
	}
	if d.Store == nil {
		errs = append(errs, errors.New("prwatch: Deps.Store is nil"))
	}
	if d.GitHubFor == nil {
		errs = append(errs, errors.New("prwatch: Deps.GitHubFor is nil"))
	}
	if d.Clock == nil {
		errs = append(errs, errors.New("prwatch: Deps.Clock is nil"))
	}
	if d.Settings.Interval <= 0 {
		errs = append(errs, errors.New("prwatch: Settings.Interval must be positive"))
	}
	for name, v := range map[string]string{"ReviewState": d.Settings.ReviewState, "ReworkState": d.Settings.ReworkState,
		"MergeState": d.Settings.MergeState, "EscalateState": d.Settings.EscalateState} {
		if v == "" {
			errs = append(errs, errors.New("prwatch: Settings."+name+" is empty"))
		}
	}
	return errors.Join(errs...)
}
