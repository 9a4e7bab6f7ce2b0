package orchestrator

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// Workspaces is the part of *workspace.Manager a worker and the loop use.
type Workspaces interface {
	Ensure(ctx context.Context, iss issue.Issue) (workspace.Workspace, error)
	// EnsurePR is the worktree of a pull-request run on head, reset to origin/<head>; it
	// returns the refs under which it kept local-only work first.
	EnsurePR(ctx context.Context, iss issue.Issue, head string) (workspace.Workspace, []string, error)
	Validate(ws workspace.Workspace) error
	BeforeRun(ctx context.Context, ws workspace.Workspace, extraEnv map[string]string) error
	AfterRun(ctx context.Context, ws workspace.Workspace, extraEnv map[string]string)
	Remove(ctx context.Context, repoKey, issueID, identifier string) error
	CheckDisk() workspace.DiskStatus
	// Lock takes the exclusive workspace lock of an issue's workspace without waiting; a
	// workspace held elsewhere gives an error with code workspace_locked.
	Lock(repoKey, identifier string) (*workspace.Lock, error)
}

// AgentRequest is what an AgentFactory needs to build one session.
type AgentRequest struct {
	// RunID is the attempt's run record id.
	RunID     string
	Issue     issue.Issue
	Workspace workspace.Workspace
	// Lock is the attempt's workspace lock; the agent's supervisor keeps a hold on it until
	// the agent process tree is gone.
	Lock *workspace.Lock
	// Attempt is 0 for a first run and the retry number afterwards.
	Attempt int
	// Host is the worker host (its workers.ssh_hosts key, sshworker.Host.String()) the
	// attempt was scheduled on; "" runs it on this machine.
	Host string
	// ReadOnlyTools leaves the session only the scoped tools that change nothing (the
	// pre-push reviewer's scope).
	ReadOnlyTools bool
	// Env is added to the agent's environment (SYMPHONY_VERIFICATION_PORT when verification
	// is on).
	Env []string
	// Resume is the conversation the session continues: the one the issue's agent kept when
	// it asked the question a human has now answered. Nil starts a new one.
	Resume *agent.KeptThread
	// Events must receive every session event. It waits only while the audit queue is full,
	// which slows the session's event intake to the pace of the disk.
	Events agent.EventSink
}

// AgentFactory builds an unstarted agent session; the orchestrator only ever sees the
// agent.Session interface, so runtimes plug in here.
type AgentFactory func(req AgentRequest) (agent.Session, error)

// PromptInput is what a worker knows when it needs a turn's prompt.
type PromptInput struct {
	Issue     issue.Issue
	Workspace string
	// Attempt is nil on a first run and the retry number afterwards.
	Attempt  *int
	Turn     int
	MaxTurns int
	// PR is set for an explicit pull-request run; its prompt is the prompts.pr template.
	PR *prompt.PullRequest
	// HumanAnswer is the reply that ended the issue's wait for input, on its first turn.
	HumanAnswer *prompt.HumanAnswer
	// Context is what a pull-request poller sent the issue back with; zero for other runs.
	Context RunContext
}

// Prompts renders turn prompts: the full (or compact) task prompt on turn 1 and continuation
// guidance afterwards.
type Prompts interface {
	Prompt(in PromptInput) (string, error)
}

// Store is the durable state the orchestrator reads at start-up and writes as runs progress;
// *store.Store implements it.
type Store interface {
	StartRun(ctx context.Context, r store.Run) (store.Run, error)
	UpdateRun(ctx context.Context, r store.Run) error
	SetRunAgent(ctx context.Context, repoKey, id string, pid int, startTime int64) error
	FinishRun(ctx context.Context, r store.Run) error
	MarkInterrupted(ctx context.Context, reason string) (int, error)
	Runs(ctx context.Context, f store.RunFilter) ([]store.Run, error)
	PutRetry(ctx context.Context, r store.Retry) error
	DeleteRetry(ctx context.Context, repoKey, issueID string) error
	Retries(ctx context.Context) ([]store.Retry, error)
	SetPause(ctx context.Context, p store.Pause) error
	Pause(ctx context.Context) (store.Pause, error)
	PutHold(ctx context.Context, h store.Hold) error
	DeleteHold(ctx context.Context, repoKey, issueID string) error
	Holds(ctx context.Context) ([]store.Hold, error)
	AddUsage(ctx context.Context, us ...store.Usage) error
	DailyUsage(ctx context.Context, day time.Time) (int64, error)
	DailyCost(ctx context.Context, day time.Time) (float64, error)
	IssueUsage(ctx context.Context, repoKey, issueID string) (store.Tokens, error)
	IssueCost(ctx context.Context, repoKey, issueID string) (float64, error)
	Totals(ctx context.Context) (store.Totals, error)
	// Batch calls writes with a context under which the writes above share one commit.
	Batch(ctx context.Context, writes func(ctx context.Context)) error
}

// Audit appends to the hash-chained audit log; *audit.Log implements it.
type Audit interface {
	// AppendBatch writes evs in order with one write and returns how many it wrote; an event
	// it refuses does not stop the others.
	AppendBatch(ctx context.Context, evs []audit.Event) (int, error)
	AppendPrompt(ctx context.Context, ev audit.Event, prompt string) (audit.Record, error)
	Sync(ctx context.Context) error
}

// The production implementations satisfy the interfaces above.
var (
	_ Workspaces = (*workspace.Manager)(nil)
	_ Store      = (*store.Store)(nil)
	_ Audit      = (*audit.Log)(nil)
)

// Deps is everything the orchestrator talks to.
type Deps struct {
	Settings   Settings
	Tracker    tracker.Tracker
	Workspaces Workspaces
	NewAgent   AgentFactory
	Prompts    Prompts
	Store      Store
	Audit      Audit
	// Preflight validates the dispatch configuration before each poll (config.Store's
	// Revalidate and LastError); an error skips dispatch for that tick. Nil always passes.
	Preflight func() error
	// OwnComment records that the issue's runs own a comment (the workpad Symphony opens), so
	// the agent's scoped tools may edit it. Nil records nothing.
	OwnComment func(ctx context.Context, issueID, commentID string) error
	// RunContext reads the review comments, CI failure or conflict a pull-request poller
	// sent the issue back with, when its run starts. Nil means no poller runs.
	RunContext RunContextSource
	// Observer is told what the loop counts (dispatches, turns, tokens, exits, polls), for
	// metrics. Nil observes nothing.
	Observer Observer
	// Review runs the pre-push reviewer inside attempts (pre_push_review); nil runs none.
	Review *PrePushReview
	// Gate scores candidates before their first dispatch (issue_gate); nil dispatches them
	// ungated.
	Gate *gate.Gate
	// Verifier gives each attempt a verification port and dev server; nil runs none.
	Verifier Verifier
	// Notifier is told about PRs opened, failed runs, budgets reached, hand-offs and
	// completed issues, for operator notifications. Nil tells no one.
	Notifier Notifier
	// Redact scrubs secrets from agent messages kept in transcripts. Nil keeps them as they
	// are (the agent adapters already redact what they know).
	Redact func(string) string
	// ThreadsDir is where a session that asked a human a question keeps its conversation
	// (agent.ThreadKeeper), one directory per run, for the attempt after the reply to
	// continue. Empty keeps none: that attempt starts a new conversation.
	ThreadsDir string
	// HostWorkspaces gives the workspaces of one worker host (keyed as AgentRequest.Host).
	// With Settings.WorkerHosts every workspace call of an attempt, and the removal of its
	// workspace, goes to its host's; it must be safe for concurrent use. Required when
	// worker hosts are configured; nil otherwise.
	HostWorkspaces func(host string) (Workspaces, error)
	// ProbeHost checks that a worker host taken out of service accepts connections again
	// (`ssh host true`); it must end by ctx's deadline. Required when worker hosts are
	// configured.
	ProbeHost func(ctx context.Context, host string) error
	// Clock defaults to the system clock; Logger defaults to discarding.
	Clock  Clock
	Logger *slog.Logger
}

func (d Deps) check() (Deps, error) {
	var missing []error
	if d.Tracker == nil {
		missing = append(missing, errors.New("Deps.Tracker is nil"))
	}
	if d.Workspaces == nil {
		missing = append(missing, errors.New("Deps.Workspaces is nil"))
	}
	if d.NewAgent == nil {
		missing = append(missing, errors.New("Deps.NewAgent is nil"))
	}
	if d.Prompts == nil {
		missing = append(missing, errors.New("Deps.Prompts is nil"))
	}
	if d.Store == nil {
		missing = append(missing, errors.New("Deps.Store is nil"))
	}
	if d.Audit == nil {
		missing = append(missing, errors.New("Deps.Audit is nil"))
	}
	if len(d.Settings.WorkerHosts) > 0 && d.HostWorkspaces == nil {
		missing = append(missing, errors.New("Deps.HostWorkspaces is nil but worker hosts are configured"))
	}
	if len(d.Settings.WorkerHosts) > 0 && d.ProbeHost == nil {
		missing = append(missing, errors.New("Deps.ProbeHost is nil but worker hosts are configured"))
	}
	if err := errors.Join(missing...); err != nil {
		return d, err
	}
	s, err := d.Settings.withDefaults()
	if err != nil {
		return d, err
	}
	d.Settings = s
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Preflight == nil {
		d.Preflight = func() error { return nil }
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	if d.Notifier == nil {
		d.Notifier = noNotifier{}
	}
	return d, nil
}
