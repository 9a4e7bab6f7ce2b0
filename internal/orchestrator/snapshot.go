package orchestrator

import (
	"encoding/json"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/store"
)

// Snapshot is an immutable view of the scheduler, published after every change. Readers must
// not modify it; slices may share backing arrays with later snapshots.
type Snapshot struct {
	At time.Time
	// Paused is the operator pause; DispatchBlocked lists every reason new dispatch is held
	// (operator pause, disk guard, daily budget, agent usage limit, failed preflight), and Blockers says the same
	// with a stable kind for API clients.
	Paused          bool
	PauseReason     string
	PausedSince     time.Time
	DispatchBlocked []string
	Blockers        []Blocker

	// TokensPerIssue and TokensPerDay are the token budgets in force; zero means no limit.
	TokensPerIssue int64
	TokensPerDay   int64
	// DollarsPerIssue and DollarsPerDay are the dollar budgets in force; zero means no limit.
	DollarsPerIssue float64
	DollarsPerDay   float64

	// MaxAgents is the global concurrency limit in force (agent.concurrency.max_total).
	MaxAgents int
	Running   []RunningRow
	// Queued lists the eligible issues waiting for a free slot, in the order they will get
	// one: first runs, and retries and continuations that came due while every slot was taken.
	Queued    []QueuedRow
	Retrying  []RetryRow
	Watching  []WatchingRow
	Conflicts []ConflictRow
	// Held issues are not dispatched: stopped by the operator, out of budget or waiting for a
	// human.
	Held []HeldRow
	// AwaitingInput are issues whose agent asked a human a question and that wait for a reply.
	AwaitingInput []AwaitingRow
	// AwaitingClarification and Skipped are candidates the issue gate holds from a first
	// dispatch, by identifier.
	AwaitingClarification []GateRow
	Skipped               []GateRow

	Tokens         agent.TokenUsage
	RuntimeSeconds float64
	DailyTokens    int64
	RateLimits     json.RawMessage
	// CostUSD and DailyCostUSD are what all tokens, and the UTC day's, cost in US dollars.
	CostUSD      float64
	DailyCostUSD float64

	LastPollAt    time.Time
	LastPollError string
	// History lists finished runs, oldest first, bounded by Settings.HistoryLimit.
	History []HistoryRow
	// Hosts are the worker hosts' health and load, in workers.ssh_hosts order; empty when
	// every agent runs on this machine.
	Hosts []HostRow
}

// BlockerKind names a reason new dispatch is held.
type BlockerKind string

// Blocker kinds.
const (
	BlockerManual    BlockerKind = "manual"
	BlockerDisk      BlockerKind = "disk_guard"
	BlockerBudget    BlockerKind = "budget"
	BlockerPreflight BlockerKind = "config_invalid"
	// BlockerQuota holds dispatch until the agent's reported usage limit resets.
	BlockerQuota BlockerKind = "agent_quota"
	// BlockerNoWorkerCapacity: issues wait because no healthy worker host has a free slot.
	BlockerNoWorkerCapacity BlockerKind = sshworker.CodeNoWorkerCapacity
)

// Blocker is one reason new dispatch is held.
type Blocker struct {
	Kind    BlockerKind
	Message string
}

// RunningRow is one attempt in progress.
type RunningRow struct {
	IssueID    string
	Identifier string
	// Title, URL and PRURL are the tracker's words for the issue, shown to operators.
	Title     string
	URL       string
	PRURL     string
	RepoKey   string
	State     string
	RunID     string
	Attempt   int
	SessionID string
	PID       int
	Workspace string
	// Host is the worker host the attempt runs on; "" for this machine.
	Host        string
	StartedAt   time.Time
	LastEventAt time.Time
	LastEvent   agent.EventKind
	LastMessage string
	Turns       int
	Tokens      agent.TokenUsage
	CostUSD     float64
	// IssueCostUSD is what the issue has cost over all of its attempts, this one included.
	IssueCostUSD  float64
	StopRequested StopReason
}

// QueuedRow is an eligible issue waiting for a slot. Attempt is 0 for a first run.
type QueuedRow struct {
	IssueID      string
	Identifier   string
	RepoKey      string
	State        string
	Attempt      int
	Continuation bool
	// Reason is why a free agent slot did not start it: no_worker_capacity when no healthy
	// worker host has a free slot; "" while it waits for an agent slot.
	Reason string
}

// RetryRow is one scheduled retry. A continuation (a re-dispatch after a normal exit) has no
// Error.
type RetryRow struct {
	IssueID      string
	Identifier   string
	RepoKey      string
	Attempt      int
	DueAt        time.Time
	Error        string
	Continuation bool
	// Host is the worker host of the issue's previous attempt, which the retry prefers.
	Host string
}

// WatchingRow is a finished issue parked in a non-active, non-terminal state (a handoff).
type WatchingRow struct {
	IssueID    string
	Identifier string
	RepoKey    string
	State      string
	URL        string
	LastRanAt  time.Time
}

// ConflictRow is an issue matched by several repository routes; it is never dispatched.
type ConflictRow struct {
	IssueID    string
	Identifier string
	RepoKeys   []string
}

// HeldRow is an issue the loop will not dispatch, and why.
type HeldRow struct {
	IssueID    string
	Identifier string
	RepoKey    string
	Reason     string
}

// HistoryRow is one finished run.
type HistoryRow struct {
	RunID      string
	IssueID    string
	Identifier string
	RepoKey    string
	Attempt    int
	Status     store.Status
	Error      string
	StartedAt  time.Time
	EndedAt    time.Time
	Tokens     agent.TokenUsage
	CostUSD    float64
	// Host is the worker host the run ran on; "" for this machine.
	Host string
}

// Find returns the running row of issueID.
func (s *Snapshot) Find(issueID string) (RunningRow, bool) {
	for _, r := range s.Running {
		if r.IssueID == issueID {
			return r, true
		}
	}
	return RunningRow{}, false
}

// Retry returns the retry row of issueID.
func (s *Snapshot) Retry(issueID string) (RetryRow, bool) {
	for _, r := range s.Retrying {
		if r.IssueID == issueID {
			return r, true
		}
	}
	return RetryRow{}, false
}
