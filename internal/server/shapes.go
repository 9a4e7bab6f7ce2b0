package server

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
)

// stateHistoryRows bounds the run history inside the state document, so its size does not
// grow with history; GET /api/v1/runs pages through the rest.
const stateHistoryRows = 50

// State is the document of GET /api/v1/state and of every SSE "state" event.
type State struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Repos       []string       `json:"repos"`
	Counts      Counts         `json:"counts"`
	MaxAgents   int            `json:"max_agents"`
	Running     []RunningJSON  `json:"running"`
	Queued      []QueuedJSON   `json:"queued"`
	Retrying    []RetryJSON    `json:"retrying"`
	Watching    []WatchingJSON `json:"watching"`
	Conflicts   []ConflictJSON `json:"conflicts"`
	Held        []HeldJSON     `json:"held"`
	// AwaitingInput are issues whose agent asked a human a question and that wait for a reply.
	AwaitingInput []AwaitingJSON `json:"awaiting_input"`
	// AwaitingClarification and Skipped are candidates the issue gate holds from dispatch.
	AwaitingClarification []GateJSON    `json:"awaiting_clarification"`
	Skipped               []GateJSON    `json:"skipped"`
	RunHistory            []HistoryJSON `json:"run_history"`
	// PullRequests is every pull request the review and CI pollers watch, one row per
	// poller; PullRequestsError says why the list could not be read.
	PullRequests      []prwatch.Status `json:"pull_requests"`
	PullRequestsError string           `json:"pull_requests_error,omitempty"`
	Totals            Totals           `json:"codex_totals"`
	Pause             PauseJSON        `json:"pause"`
	Budget            BudgetJSON       `json:"budget"`
	DispatchState     DispatchState    `json:"dispatch_state"`
	LastPollAt        *time.Time       `json:"last_poll_at"`
	LastPollError     string           `json:"last_poll_error,omitempty"`
	// RateLimits is the agent's latest rate-limit payload as it sent it, or null.
	RateLimits json.RawMessage `json:"rate_limits"`
	// WorkerHosts are the SSH worker hosts' health and load, in configuration order; empty
	// when agents run on this machine.
	WorkerHosts []HostJSON `json:"worker_hosts"`
}

// HostJSON is one SSH worker host: whether it is in service, its load, and while it is out of
// service since when, why and when it is probed next.
type HostJSON struct {
	Host    string `json:"host"`
	Healthy bool   `json:"healthy"`
	Running int    `json:"running"`
	// Capacity is workers.max_concurrent_agents_per_host; 0 when only max_total applies.
	Capacity            int        `json:"capacity"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	LastError           string     `json:"last_error"`
	DownSince           *time.Time `json:"down_since"`
	NextProbeAt         *time.Time `json:"next_probe_at"`
}

// Counts sizes each list of the state.
type Counts struct {
	Running       int `json:"running"`
	Queued        int `json:"queued"`
	Retrying      int `json:"retrying"`
	Watching      int `json:"watching"`
	Conflicts     int `json:"conflicts"`
	Held          int `json:"held"`
	Awaiting      int `json:"awaiting_clarification"`
	Skipped       int `json:"skipped"`
	AwaitingInput int `json:"awaiting_input"`
	PullRequests  int `json:"pull_requests"`
}

// Tokens are the token buckets of an attempt, an issue or the whole service.
type Tokens struct {
	InputTokens              int64 `json:"input_tokens"`
	UncachedInputTokens      int64 `json:"uncached_input_tokens"`
	CachedInputTokens        int64 `json:"cached_input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
	TotalTokens              int64 `json:"total_tokens"`
}

func tokensOf(u agent.TokenUsage) Tokens {
	return Tokens{InputTokens: u.UncachedInput + u.CachedInput + u.CacheCreationInput, UncachedInputTokens: u.UncachedInput,
		CachedInputTokens: u.CachedInput, CacheCreationInputTokens: u.CacheCreationInput, OutputTokens: u.Output, TotalTokens: u.Total}
}

// Totals are the service's lifetime token use, agent runtime and what the tokens cost in US
// dollars, overall and in the current UTC day.
type Totals struct {
	Tokens
	SecondsRunning float64 `json:"seconds_running"`
	CostUSD        float64 `json:"cost_usd"`
	CostUSDToday   float64 `json:"cost_usd_today"`
}

// RunningJSON is one attempt in progress.
type RunningJSON struct {
	RepoKey         string `json:"repo_key"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	Title           string `json:"title"`
	URL             string `json:"url"`
	PRURL           string `json:"pr_url"`
	State           string `json:"state"`
	RunID           string `json:"run_id"`
	Attempt         int    `json:"attempt"`
	SessionID       string `json:"session_id"`
	PID             int    `json:"pid"`
	WorkspacePath   string `json:"workspace_path"`
	// WorkerHost is the SSH worker host the attempt runs on; "" for this machine.
	WorkerHost    string     `json:"worker_host"`
	TurnCount     int        `json:"turn_count"`
	LastEvent     string     `json:"last_event"`
	LastMessage   string     `json:"last_message"`
	StartedAt     time.Time  `json:"started_at"`
	LastEventAt   *time.Time `json:"last_event_at"`
	StopRequested string     `json:"stop_requested,omitempty"`
	Tokens        Tokens     `json:"tokens"`
	CostUSD       float64    `json:"cost_usd"`
	// IssueCostUSD is what the issue has cost over all of its attempts, this one included.
	IssueCostUSD float64 `json:"issue_cost_usd"`
}

// QueuedJSON is an eligible issue waiting for a free slot.
type QueuedJSON struct {
	RepoKey         string `json:"repo_key"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	State           string `json:"state"`
	Attempt         int    `json:"attempt"`
	Continuation    bool   `json:"continuation"`
	// WaitReason is no_worker_capacity while no healthy SSH worker host has a free slot; ""
	// while it waits for an agent slot.
	WaitReason string `json:"wait_reason"`
}

// RetryJSON is one scheduled retry or continuation.
type RetryJSON struct {
	RepoKey         string    `json:"repo_key"`
	IssueID         string    `json:"issue_id"`
	IssueIdentifier string    `json:"issue_identifier"`
	Attempt         int       `json:"attempt"`
	DueAt           time.Time `json:"due_at"`
	Error           string    `json:"error"`
	Continuation    bool      `json:"continuation"`
	// WorkerHost is the host of the previous attempt, which the retry prefers.
	WorkerHost string `json:"worker_host"`
}

// WatchingJSON is a finished issue parked in a hand-off state.
type WatchingJSON struct {
	RepoKey             string    `json:"repo_key"`
	IssueID             string    `json:"issue_id"`
	IssueIdentifier     string    `json:"issue_identifier"`
	State               string    `json:"state"`
	URL                 string    `json:"url"`
	LastRanAt           time.Time `json:"last_ran_at"`
	SecondsSinceLastRun float64   `json:"seconds_since_last_run"`
}

// ConflictJSON is an issue matched by several repository routes.
type ConflictJSON struct {
	IssueID         string   `json:"issue_id"`
	IssueIdentifier string   `json:"issue_identifier"`
	RepoKeys        []string `json:"repo_keys"`
}

// HeldJSON is an issue held from dispatch and why.
type HeldJSON struct {
	RepoKey         string `json:"repo_key"`
	IssueID         string `json:"issue_id"`
	IssueIdentifier string `json:"issue_identifier"`
	Reason          string `json:"reason"`
}

// AwaitingJSON is an issue waiting for a human's answer to its agent's question.
type AwaitingJSON struct {
	RepoKey         string    `json:"repo_key"`
	IssueID         string    `json:"issue_id"`
	IssueIdentifier string    `json:"issue_identifier"`
	Question        string    `json:"question"`
	AskedAt         time.Time `json:"asked_at"`
	Resuming        bool      `json:"resuming"`
}

// HistoryJSON is one finished run.
type HistoryJSON struct {
	RepoKey         string    `json:"repo_key"`
	RunID           string    `json:"run_id"`
	IssueID         string    `json:"issue_id"`
	IssueIdentifier string    `json:"issue_identifier"`
	Attempt         int       `json:"attempt"`
	Status          string    `json:"status"`
	Error           string    `json:"error"`
	StartedAt       time.Time `json:"started_at"`
	EndedAt         time.Time `json:"ended_at"`
	RuntimeSeconds  float64   `json:"runtime_seconds"`
	Tokens          Tokens    `json:"tokens"`
	CostUSD         float64   `json:"cost_usd"`
	WorkerHost      string    `json:"worker_host"`
}

// PauseJSON is the operator pause.
type PauseJSON struct {
	Paused   bool       `json:"paused"`
	Reason   string     `json:"reason"`
	PausedAt *time.Time `json:"paused_at"`
}

// BudgetJSON is the token budgets in force; a limit of 0 means none.
type BudgetJSON struct {
	PerIssueLimit  int64  `json:"per_issue_limit"`
	DailyLimit     int64  `json:"daily_limit"`
	DailyUsed      int64  `json:"daily_used"`
	DailyRemaining *int64 `json:"daily_remaining"`
	DailyPaused    bool   `json:"daily_paused"`
	// PerIssueDollarLimit and DailyDollarLimit are the dollar budgets; 0 means none. What
	// today cost is Totals.CostUSDToday.
	PerIssueDollarLimit float64 `json:"per_issue_dollar_limit"`
	DailyDollarLimit    float64 `json:"daily_dollar_limit"`
}

// DispatchState says whether new work is dispatched, and if not why.
type DispatchState struct {
	Active   bool          `json:"active"`
	Blockers []BlockerJSON `json:"blockers"`
}

// BlockerJSON is one reason dispatch is held.
type BlockerJSON struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func stateOf(s *orchestrator.Snapshot) State {
	st := State{
		GeneratedAt: s.At, MaxAgents: s.MaxAgents,
		Running: make([]RunningJSON, 0, len(s.Running)), Queued: make([]QueuedJSON, 0, len(s.Queued)),
		Retrying: make([]RetryJSON, 0, len(s.Retrying)), Watching: make([]WatchingJSON, 0, len(s.Watching)),
		Conflicts: make([]ConflictJSON, 0, len(s.Conflicts)), Held: make([]HeldJSON, 0, len(s.Held)),
		AwaitingInput: make([]AwaitingJSON, 0, len(s.AwaitingInput)), PullRequests: []prwatch.Status{},
		Totals: Totals{Tokens: tokensOf(s.Tokens), SecondsRunning: secondsRunning(s), CostUSD: s.CostUSD,
			CostUSDToday: s.DailyCostUSD},
		Pause:      PauseJSON{Paused: s.Paused, Reason: s.PauseReason, PausedAt: timePtr(s.PausedSince)},
		LastPollAt: timePtr(s.LastPollAt), LastPollError: s.LastPollError, RateLimits: s.RateLimits,
	}
	repos := map[string]bool{}
	for _, r := range s.Running {
		repos[r.RepoKey] = true
		st.Running = append(st.Running, runningOf(r))
	}
	for _, q := range s.Queued {
		repos[q.RepoKey] = true
		st.Queued = append(st.Queued, QueuedJSON{RepoKey: q.RepoKey, IssueID: q.IssueID, IssueIdentifier: q.Identifier,
			State: q.State, Attempt: q.Attempt, Continuation: q.Continuation, WaitReason: q.Reason})
	}
	for _, r := range s.Retrying {
		repos[r.RepoKey] = true
		st.Retrying = append(st.Retrying, retryOf(r))
	}
	for _, w := range s.Watching {
		repos[w.RepoKey] = true
		st.Watching = append(st.Watching, watchingOf(w, s.At))
	}
	for _, c := range s.Conflicts {
		for _, k := range c.RepoKeys {
			repos[k] = true
		}
		st.Conflicts = append(st.Conflicts, ConflictJSON{IssueID: c.IssueID, IssueIdentifier: c.Identifier, RepoKeys: c.RepoKeys})
	}
	for _, h := range s.Held {
		repos[h.RepoKey] = true
		st.Held = append(st.Held, HeldJSON{RepoKey: h.RepoKey, IssueID: h.IssueID, IssueIdentifier: h.Identifier, Reason: h.Reason})
	}
	for _, a := range s.AwaitingInput {
		repos[a.RepoKey] = true
		st.AwaitingInput = append(st.AwaitingInput, AwaitingJSON{RepoKey: a.RepoKey, IssueID: a.IssueID, IssueIdentifier: a.Identifier,
			Question: a.Question, AskedAt: a.AskedAt, Resuming: a.Resuming})
	}
	st.AwaitingClarification, st.Skipped = gateRowsOf(s.AwaitingClarification, repos), gateRowsOf(s.Skipped, repos)
	history := s.History[max(len(s.History)-stateHistoryRows, 0):]
	st.RunHistory = make([]HistoryJSON, 0, len(history))
	for i := len(history) - 1; i >= 0; i-- {
		h := history[i]
		st.RunHistory = append(st.RunHistory, HistoryJSON{RepoKey: h.RepoKey, RunID: h.RunID, IssueID: h.IssueID,
			IssueIdentifier: h.Identifier, Attempt: h.Attempt, Status: string(h.Status), Error: h.Error,
			StartedAt: h.StartedAt, EndedAt: h.EndedAt, RuntimeSeconds: h.EndedAt.Sub(h.StartedAt).Seconds(), Tokens: tokensOf(h.Tokens),
			CostUSD: h.CostUSD, WorkerHost: h.Host})
	}
	st.WorkerHosts = make([]HostJSON, 0, len(s.Hosts))
	for _, h := range s.Hosts {
		st.WorkerHosts = append(st.WorkerHosts, HostJSON{Host: h.Host, Healthy: h.Healthy, Running: h.Running, Capacity: h.Capacity,
			ConsecutiveFailures: h.ConsecutiveFailures, LastError: h.LastError, DownSince: timePtr(h.DownSince), NextProbeAt: timePtr(h.NextProbe)})
	}
	st.Repos = make([]string, 0, len(repos))
	for k := range repos {
		if k != "" {
			st.Repos = append(st.Repos, k)
		}
	}
	slices.Sort(st.Repos)
	st.Counts = Counts{Running: len(st.Running), Queued: len(st.Queued), Retrying: len(st.Retrying),
		Watching: len(st.Watching), Conflicts: len(st.Conflicts), Held: len(st.Held),
		Awaiting: len(st.AwaitingClarification), Skipped: len(st.Skipped), AwaitingInput: len(st.AwaitingInput)}
	st.Budget = BudgetJSON{PerIssueLimit: s.TokensPerIssue, DailyLimit: s.TokensPerDay, DailyUsed: s.DailyTokens,
		PerIssueDollarLimit: s.DollarsPerIssue, DailyDollarLimit: s.DollarsPerDay}
	if s.TokensPerDay > 0 {
		left := max(s.TokensPerDay-s.DailyTokens, 0)
		st.Budget.DailyRemaining, st.Budget.DailyPaused = &left, left == 0
	}
	st.DispatchState = DispatchState{Active: len(s.Blockers) == 0, Blockers: make([]BlockerJSON, 0, len(s.Blockers))}
	for _, b := range s.Blockers {
		st.DispatchState.Blockers = append(st.DispatchState.Blockers, BlockerJSON{Kind: string(b.Kind), Message: b.Message})
	}
	return st
}

func runningOf(r orchestrator.RunningRow) RunningJSON {
	return RunningJSON{RepoKey: r.RepoKey, IssueID: r.IssueID, IssueIdentifier: r.Identifier, Title: r.Title, URL: r.URL, PRURL: r.PRURL,
		State: r.State, RunID: r.RunID,
		Attempt: r.Attempt, SessionID: r.SessionID, PID: r.PID, WorkspacePath: r.Workspace, WorkerHost: r.Host, TurnCount: r.Turns,
		LastEvent: string(r.LastEvent), LastMessage: r.LastMessage, StartedAt: r.StartedAt, LastEventAt: timePtr(r.LastEventAt),
		StopRequested: string(r.StopRequested), Tokens: tokensOf(r.Tokens), CostUSD: r.CostUSD,
		IssueCostUSD: r.IssueCostUSD}
}

func retryOf(r orchestrator.RetryRow) RetryJSON {
	return RetryJSON{RepoKey: r.RepoKey, IssueID: r.IssueID, IssueIdentifier: r.Identifier, Attempt: r.Attempt,
		DueAt: r.DueAt, Error: r.Error, Continuation: r.Continuation, WorkerHost: r.Host}
}

func watchingOf(w orchestrator.WatchingRow, now time.Time) WatchingJSON {
	return WatchingJSON{RepoKey: w.RepoKey, IssueID: w.IssueID, IssueIdentifier: w.Identifier, State: w.State, URL: w.URL,
		LastRanAt: w.LastRanAt, SecondsSinceLastRun: now.Sub(w.LastRanAt).Seconds()}
}

// secondsRunning is the agents' runtime so far: finished attempts plus the time the running
// ones have been at work (SPEC §13.5), so a busy service never reports zero.
func secondsRunning(s *orchestrator.Snapshot) float64 {
	total := s.RuntimeSeconds
	for _, r := range s.Running {
		if d := s.At.Sub(r.StartedAt); d > 0 {
			total += d.Seconds()
		}
	}
	return total
}
