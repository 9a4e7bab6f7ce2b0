package orchestrator

import (
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Settings are the scheduling knobs the loop and workers read. FromConfig maps symphony.yml
// onto them; tests build them directly.
type Settings struct {
	PollInterval   time.Duration
	ActiveStates   []string
	TerminalStates []string
	// Routes are polled one at a time, staggered across PollInterval. Empty means one
	// aggregated FetchCandidates call per interval.
	Routes []tracker.Route

	MaxTotal int
	// MaxByState caps running agents per normalized issue state.
	MaxByState map[string]int
	// MaxTurns bounds the turns of one attempt.
	MaxTurns        int
	RetryBackoffMax time.Duration
	// StallTimeout kills an attempt whose agent has not reported anything yet; 0 disables it.
	StallTimeout time.Duration

	Watchdog Watchdog

	// TokensPerIssue caps one issue's tokens across all attempts and restarts; 0 disables it.
	TokensPerIssue int64
	// DollarsPerIssue and DollarsPerDay are the same budgets in US dollars; 0 disables each.
	DollarsPerIssue float64
	DollarsPerDay   float64
	// Pricing prices token usage by model name; a model without an entry costs nothing.
	Pricing map[string]Price
	// TokensPerDay pauses new dispatch once the UTC day's tokens reach it; 0 disables it.
	TokensPerDay int64

	// AgentKind is "codex" or "claude"; it names the workpad comment heading (prompt.AgentFor),
	// the same one the prompts tell the agent to keep.
	AgentKind string
	// StartState and WorkingState drive the tracker bootstrap: an issue in StartState moves to
	// WorkingState before its first turn.
	StartState   string
	WorkingState string

	// HumanInput says where questions to humans park issues and what resumes them.
	HumanInput HumanInput

	// TrackerTimeout bounds each poll's and retry check's tracker calls.
	TrackerTimeout time.Duration
	// ShutdownTimeout bounds the graceful stop of Run.
	ShutdownTimeout time.Duration
	// ControlTimeout bounds how long a control call waits for the loop's answer.
	ControlTimeout time.Duration
	// HistoryLimit caps the finished runs kept in snapshots.
	HistoryLimit int
	// SnapshotInterval spaces the snapshots that only agent progress (events, tokens) would
	// publish: at most one per interval, so 200 streaming sessions do not rebuild and sort the
	// whole snapshot for every event. Anything that changes scheduling publishes at once;
	// 0 publishes after every message.
	SnapshotInterval time.Duration
	// TranscriptEvents is how many recent agent events each issue's transcript keeps
	// (dashboard.transcript_buffer_size); zero keeps none. It is fixed when the orchestrator
	// is created.
	TranscriptEvents int
	// Warnings are logged once at start (for example a budget the agent may never trigger).
	Warnings []string

	// WorkerHosts are the workers.ssh_hosts entries agents run on; empty runs every agent on
	// this machine. MaxAgentsPerHost caps the agents on each host (0: only MaxTotal bounds
	// them). Both are fixed when the orchestrator is created: a reload that changes them is
	// logged and takes effect at the next start.
	WorkerHosts      []string
	MaxAgentsPerHost int
}

// Watchdog is the no-progress watchdog (watchdog.* in symphony.yml).
type Watchdog struct {
	Enabled   bool
	Tick      time.Duration
	Threshold time.Duration
}

// Defaults of the settings that have no symphony.yml key.
const (
	DefaultShutdownTimeout = 30 * time.Second
	DefaultTrackerTimeout  = time.Minute
	DefaultControlTimeout  = 5 * time.Second
	DefaultHistoryLimit    = 10000
	continuationDelay      = time.Second
	// lockedRemoveRetry spaces the tries to remove a terminal issue's workspace whose agent
	// tree is still going away.
	lockedRemoveRetry  = 200 * time.Millisecond
	failureBackoffBase = 10 * time.Second
)

// withDefaults fills the unset knobs and rejects values the loop cannot honour.
func (s Settings) withDefaults() (Settings, error) {
	var problems []string
	if s.PollInterval <= 0 {
		problems = append(problems, "poll interval must be positive (issues.poll_interval_ms)")
	}
	if len(s.ActiveStates) == 0 {
		problems = append(problems, "at least one active state is required (issues.states.active)")
	}
	if s.MaxTotal <= 0 {
		problems = append(problems, "max_total must be positive (agent.concurrency.max_total)")
	}
	if s.MaxTurns <= 0 {
		problems = append(problems, "max_turns must be positive (agent.limits.max_turns)")
	}
	if s.RetryBackoffMax <= 0 {
		problems = append(problems, "retry backoff cap must be positive (agent.limits.retry_backoff_max_ms)")
	}
	if s.Watchdog.Enabled && (s.Watchdog.Tick <= 0 || s.Watchdog.Threshold <= 0) {
		problems = append(problems, "an enabled watchdog needs a positive tick and threshold (watchdog.tick_interval_ms, watchdog.no_progress_threshold_ms)")
	}
	if s.TranscriptEvents < 0 {
		problems = append(problems, "transcript size must not be negative (dashboard.transcript_buffer_size)")
	}
	if s.TokensPerIssue < 0 || s.TokensPerDay < 0 {
		problems = append(problems, "token budgets must not be negative (agent.limits.tokens_per_issue, tokens_per_day)")
	}
	if s.DollarsPerIssue < 0 || s.DollarsPerDay < 0 {
		problems = append(problems, "dollar budgets must not be negative (agent.limits.dollars_per_issue, dollars_per_day)")
	}
	for state, n := range s.MaxByState {
		if n <= 0 {
			problems = append(problems, fmt.Sprintf("max_by_issue_state[%q] must be positive", state))
		}
	}
	if s.MaxAgentsPerHost < 0 {
		problems = append(problems, "max agents per host must not be negative (workers.max_concurrent_agents_per_host)")
	}
	if _, errs := sshworker.ParseHosts(s.WorkerHosts); len(errs) > 0 {
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("workers.ssh_hosts[%d]: %v", e.Index, e.Err))
		}
	}
	if _, err := prompt.AgentFor(s.AgentKind); err != nil {
		problems = append(problems, err.Error()+" (agent.runtime)")
	}
	if len(problems) > 0 {
		return s, fmt.Errorf("orchestrator settings: %s", strings.Join(problems, "; "))
	}
	if s.StartState == "" {
		s.StartState = "Todo"
	}
	if s.WorkingState == "" {
		s.WorkingState = "In Progress"
	}
	if s.TrackerTimeout <= 0 {
		s.TrackerTimeout = DefaultTrackerTimeout
	}
	if s.ShutdownTimeout <= 0 {
		s.ShutdownTimeout = DefaultShutdownTimeout
	}
	if s.ControlTimeout <= 0 {
		s.ControlTimeout = DefaultControlTimeout
	}
	if s.HistoryLimit <= 0 {
		s.HistoryLimit = DefaultHistoryLimit
	}
	byState := make(map[string]int, len(s.MaxByState))
	for state, n := range s.MaxByState {
		byState[issue.NormalizeState(state)] = n
	}
	s.MaxByState = byState
	return s, nil
}

func (s Settings) isActive(state string) bool {
	return issue.StateIn(state, s.ActiveStates) && !issue.StateIn(state, s.TerminalStates)
}

func (s Settings) isTerminal(state string) bool { return issue.StateIn(state, s.TerminalStates) }

// failureBackoff is min(10 s * 2^(attempt-1), RetryBackoffMax) for attempt >= 1.
func (s Settings) failureBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := failureBackoffBase
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= s.RetryBackoffMax {
			return s.RetryBackoffMax
		}
	}
	return min(d, s.RetryBackoffMax)
}
