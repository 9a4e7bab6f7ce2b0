package config

import (
	"os"
	"path/filepath"

	"github.com/symphony-go/symphony/internal/workflow"
)

// Reference defaults (SPEC §6.4 and the section texts).
const (
	DefaultLinearEndpoint   = "https://api.linear.app/graphql"
	DefaultGitLabBaseURL    = "https://gitlab.com"
	DefaultPollIntervalMs   = 30000
	DefaultTokensPerIssue   = 500000
	DefaultTokensPerDay     = 5000000
	DefaultCodexSoftLimit   = 65536
	DefaultIssueGateModel   = "claude-haiku-4-5-20251001"
	DefaultEscalationState  = "In Review"
	DefaultHumanInputState  = "Needs Input"
	DefaultReworkState      = "In Progress"
	defaultWorkspaceDirName = "symphony_workspaces"
	// DefaultStartState is the state an issue leaves for DefaultReworkState ("In Progress")
	// when its first turn starts; JiraStartState is its name in Jira's default workflow.
	DefaultStartState = "Todo"
	JiraStartState    = "To Do"
)

// DefaultAllowedAttachmentHosts and DefaultPublicUploadExtensions are the attachment
// defaults the normalized lists reset to when left empty.
var (
	DefaultAllowedAttachmentHosts = []string{"github.com"}
	DefaultPublicUploadExtensions = []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf"}
)

func ptr[T any](v T) *T { return &v }

// Defaults returns a Config holding every default, before any file is read.
func Defaults() Config {
	return Config{
		Issues: Issues{
			PollIntervalMs: DefaultPollIntervalMs,
			Linear:         Linear{Endpoint: DefaultLinearEndpoint},
			GitLab:         GitLab{BaseURL: DefaultGitLabBaseURL},
			States: IssueStates{
				Active:   []string{DefaultStartState, DefaultReworkState},
				Terminal: []string{"Closed", "Cancelled", "Canceled", "Duplicate", "Done"},
			},
		},
		Workspaces: Workspaces{
			Root:                filepath.Join(os.TempDir(), defaultWorkspaceDirName),
			Strategy:            "clone",
			FetchBeforeDispatch: true,
			Cleanup: Cleanup{
				Enabled: true, MaxAgeDays: 14, IntervalMs: 3600000, OrphanAction: "log", TrashDir: ".trash",
			},
			Attachments: Attachments{
				AllowedHosts:           append([]string(nil), DefaultAllowedAttachmentHosts...),
				PublicUploadExtensions: append([]string(nil), DefaultPublicUploadExtensions...),
			},
		},
		GitHub: GitHub{FailedRunLogMaxBytes: 65536, OpenPullRequestsAsDraft: true},
		Agent: Agent{
			HumanInput:  HumanInput{State: DefaultHumanInputState},
			Concurrency: Concurrency{MaxTotal: 10, MaxByIssueState: map[string]int{}},
			Limits: Limits{
				MaxTurns: 20, RetryBackoffMaxMs: 300000, MaxConsecutiveIdenticalToolFailures: 5,
				TokensPerIssue: ptr[int64](DefaultTokensPerIssue), TokensPerDay: ptr[int64](DefaultTokensPerDay),
			},
			Prompts: Prompts{IncludeProjectGuides: true, CodexStdioSoftLimitBytes: DefaultCodexSoftLimit},
			Permissions: Permissions{
				Filesystem:   Filesystem{Sandbox: "workspace-write"},
				Network:      Network{Mode: "allowlist"},
				OuterSandbox: OuterSandbox{Runtime: "none", Command: "srt"},
			},
			MCP:      MCP{Inherit: "none", Servers: map[string]MCPServer{}},
			Timeouts: Timeouts{TurnMs: 3600000, ReadMs: 30000, StallMs: 300000, CommandMs: 600000},
		},
		PrePushReview: PrePushReview{MaxIterations: 1, RunOn: "always"},
		PullRequests: PullRequests{
			ReviewState: DefaultEscalationState, ReworkState: DefaultReworkState, MergeState: DefaultReworkState,
			ReviewComments: ReviewComments{ReworkDelayMinutes: 10, StaleAfterDays: 7},
			Checks: Checks{
				LogExcerptLines: 200, RetryFailedOnce: true, MaxFixAttempts: 3, EscalateToState: DefaultEscalationState,
			},
			Learnings: Learnings{Provider: "anthropic", Model: DefaultIssueGateModel, MaxTotalPerRepo: 500, MaxPerRun: 3},
		},
		Verification: workflow.DefaultSettings().Verification,
		Dashboard: Dashboard{
			Enabled: true, Host: "127.0.0.1", RefreshMs: 1000, RenderIntervalMs: 16, SnapshotPublishMs: 500,
			TranscriptBufferSize: 200,
		},
		IssueGate: IssueGate{
			Provider: "anthropic", Model: DefaultIssueGateModel, PassThreshold: 6, MaxClarificationRounds: 2, OnError: "pass",
		},
		Watchdog: Watchdog{Enabled: true, TickIntervalMs: 60000, NoProgressThresholdMs: 600000},
		Poller:   Poller{MaxBackoffMs: 300000, DegradedThreshold: 3},
	}
}
