package config

import "github.com/symphony-go/symphony/internal/workflow"

// Config is the validated operator configuration (symphony.yml) with every repository's
// WORKFLOW.md loaded and merged. Field names follow the YAML keys.
type Config struct {
	// Path is the absolute path of symphony.yml; Dir is its directory.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`

	Issues          Issues          `yaml:"issues"`
	Repositories    []Repository    `yaml:"repositories"`
	Workspaces      Workspaces      `yaml:"workspaces"`
	Workers         Workers         `yaml:"workers"`
	GitHub          GitHub          `yaml:"github"`
	Agent           Agent           `yaml:"agent"`
	PrePushReview   PrePushReview   `yaml:"pre_push_review"`
	PullRequests    PullRequests    `yaml:"pull_requests"`
	Verification    Verification    `yaml:"verification"`
	Dashboard       Dashboard       `yaml:"dashboard"`
	IssueGate       IssueGate       `yaml:"issue_gate"`
	Watchdog        Watchdog        `yaml:"watchdog"`
	DependencyAudit DependencyAudit `yaml:"dependency_audit"`
	Notifications   Notifications   `yaml:"notifications"`
	Poller          Poller          `yaml:"poller"`

	// emptyAttachmentHosts locates (file:line) a workspaces.attachments.allowed_hosts the file
	// set to no host, which normalize replaced with the default.
	emptyAttachmentHosts string
}

// RemovedKeys rejects the reference's pre-release top-level spellings with migration advice.
func (*Config) RemovedKeys() map[string]string {
	return map[string]string{
		"tracker":       "use `issues` (provider, linear.*, states.*)",
		"repos":         "use `repositories` (key, workflow, route.*, workspace.*)",
		"workspace":     "use `workspaces`",
		"pr_review":     "use `pull_requests` (enabled, review_comments.*)",
		"ci":            "use `pull_requests.checks`",
		"quality_gate":  "use `issue_gate` (min_score is now pass_threshold)",
		"review_agent":  "use `pre_push_review`",
		"self_review":   "use `pre_push_review`",
		"dependencies":  "use `dependency_audit`",
		"observability": "use `dashboard`",
		"server":        "use `dashboard` (host, port)",
		"polling":       "use `issues.poll_interval_ms`",
		"learnings":     "use `pull_requests.learnings`",
		"worker":        "use `workers`",
		"dispatch":      "remove it; use `agent.concurrency.max_total`",
		"token_budget":  "remove it; use `agent.limits.tokens_per_issue` and `agent.limits.tokens_per_day`",
		"hooks":         "hooks belong in each repository's WORKFLOW.md front matter",
	}
}

// Issues configures the tracker (SPEC §5.4.2).
type Issues struct {
	Provider       string       `yaml:"provider"`
	PollIntervalMs int          `yaml:"poll_interval_ms"`
	Linear         Linear       `yaml:"linear"`
	GitHub         GitHubIssues `yaml:"github"`
	Jira           Jira         `yaml:"jira"`
	GitLab         GitLab       `yaml:"gitlab"`
	Local          Local        `yaml:"local"`
	States         IssueStates  `yaml:"states"`
}

// Linear configures the Linear GraphQL tracker.
type Linear struct {
	Endpoint string      `yaml:"endpoint"`
	APIKey   string      `yaml:"api_key"`
	Assignee string      `yaml:"assignee"`
	Scope    LinearScope `yaml:"scope"`
}

// LinearScope is the issue-level Linear filter; labels use OR semantics.
type LinearScope struct {
	ProjectSlug string   `yaml:"project_slug"`
	Team        string   `yaml:"team"`
	Labels      []string `yaml:"labels"`
}

// GitHubIssues configures the GitHub Issues tracker. The token comes from GH_TOKEN or
// GITHUB_TOKEN, the API from SYMPHONY_GITHUB_API_URL or api.github.com.
type GitHubIssues struct {
	// Repos are the polled repositories as owner/repo; route.projects selects among them.
	Repos []string `yaml:"repos"`
	// StateLabels maps a workflow state name to the label that puts an open issue in it (Todo:
	// "symphony:todo"); an open issue with none of them is in state Open, a closed one in Closed.
	StateLabels map[string]string `yaml:"state_labels"`
	// PriorityLabels maps a label to a priority (1 is the most urgent).
	PriorityLabels map[string]int `yaml:"priority_labels"`
	// Labels narrow polling to issues carrying any of them.
	Labels []string `yaml:"labels"`
	// Assignee is a login or "me" (the token's own account).
	Assignee string `yaml:"assignee"`
}

// Jira configures the Jira Cloud tracker (REST v3). Workflow states are Jira status names.
type Jira struct {
	// BaseURL is the site, e.g. https://example.atlassian.net (default $JIRA_BASE_URL).
	BaseURL string `yaml:"base_url"`
	// Email is the account the API token belongs to (default $JIRA_EMAIL).
	Email string `yaml:"email"`
	// APIToken is the account's API token (default $JIRA_API_TOKEN).
	APIToken string `yaml:"api_token"`
	// ProjectKey is the polled project, e.g. ENG.
	ProjectKey string `yaml:"project_key"`
	// Labels narrow polling to issues carrying any of them.
	Labels []string `yaml:"labels"`
	// Assignee is an account id or "me" (the token's own account).
	Assignee string `yaml:"assignee"`
}

// GitLab configures the GitLab Issues tracker for one project. The token comes from
// GITLAB_TOKEN.
type GitLab struct {
	// BaseURL is the instance (default https://gitlab.com); self-managed instances too.
	BaseURL string `yaml:"base_url"`
	// Project is the project's path, group/project.
	Project string `yaml:"project"`
	// StateLabels maps a workflow state name to its label (Todo: "workflow::todo"); an open
	// issue with none is Open, a closed one Closed.
	StateLabels map[string]string `yaml:"state_labels"`
	// Labels narrow polling to issues carrying any of them.
	Labels []string `yaml:"labels"`
	// Assignee is a username or "me" (the token's own user).
	Assignee string `yaml:"assignee"`
}

// Local configures the file-based tracker: one Markdown file per issue in Dir.
type Local struct {
	Dir string `yaml:"dir"`
}

// IssueStates names the tracker states that mean "work on it" and "it is over".
type IssueStates struct {
	Active   []string `yaml:"active"`
	Terminal []string `yaml:"terminal"`
}

// Repository is one supervised repository route (SPEC §5.4.1).
type Repository struct {
	Key        string        `yaml:"key"`
	Workflow   string        `yaml:"workflow"`
	BaseBranch string        `yaml:"base_branch"`
	Default    bool          `yaml:"default"`
	Route      Route         `yaml:"route"`
	Workspace  RepoWorkspace `yaml:"workspace"`

	// WorkflowPath is Workflow resolved against the directory of symphony.yml.
	WorkflowPath string `yaml:"-"`
	// Loaded is the parsed WORKFLOW.md; Settings are its hooks/verification merged over the
	// operator's.
	Loaded   *workflow.Workflow `yaml:"-"`
	Settings workflow.Settings  `yaml:"-"`
	// Effective population settings after falling back to workspaces.*.
	Strategy            string `yaml:"-"`
	SourceRepo          string `yaml:"-"`
	FetchBeforeDispatch bool   `yaml:"-"`
}

// SetDefaults implements yamlschema.Defaulter.
func (r *Repository) SetDefaults() { r.Workflow = "WORKFLOW.md" }

// Route selects which tracker issues belong to a repository; labels use AND semantics.
type Route struct {
	Team     string   `yaml:"team"`
	Projects []string `yaml:"projects"`
	Labels   []string `yaml:"labels"`
	Assignee string   `yaml:"assignee"`
}

// RepoWorkspace overrides workspace population for one repository; nil pointers inherit.
type RepoWorkspace struct {
	Strategy            string `yaml:"strategy"`
	Repo                string `yaml:"repo"`
	FetchBeforeDispatch *bool  `yaml:"fetch_before_dispatch"`
}

// Workspaces configures the workspace root, population defaults and lifecycle (SPEC §5.4.3).
type Workspaces struct {
	Root                string      `yaml:"root"`
	Strategy            string      `yaml:"strategy"`
	Repo                string      `yaml:"repo"`
	FetchBeforeDispatch bool        `yaml:"fetch_before_dispatch"`
	Cleanup             Cleanup     `yaml:"cleanup"`
	Attachments         Attachments `yaml:"attachments"`
}

// Cleanup configures workspace garbage collection and the free-space guard.
type Cleanup struct {
	Enabled    bool `yaml:"enabled"`
	MaxAgeDays int  `yaml:"max_age_days"`
	IntervalMs int  `yaml:"interval_ms"`
	// MinFreeBytes is nil when the disk guard is off.
	MinFreeBytes *int64 `yaml:"min_free_bytes"`
	OrphanAction string `yaml:"orphan_action"`
	TrashDir     string `yaml:"trash_dir"`
}

// Attachments limits what the scoped Linear attachment tools may fetch and upload.
type Attachments struct {
	AllowedHosts           []string `yaml:"allowed_hosts"`
	PublicUploadExtensions []string `yaml:"public_upload_extensions"`
}

// Workers configures remote SSH workers (SPEC §5.4.11).
type Workers struct {
	SSHHosts                   []string `yaml:"ssh_hosts"`
	MaxConcurrentAgentsPerHost *int     `yaml:"max_concurrent_agents_per_host"`
}

// GitHub holds GitHub integration defaults (SPEC §5.4.7).
type GitHub struct {
	EnterpriseHosts         []string `yaml:"enterprise_hosts"`
	FailedRunLogMaxBytes    int      `yaml:"failed_run_log_max_bytes"`
	OpenPullRequestsAsDraft bool     `yaml:"open_pull_requests_as_draft"`
}

// Agent configures the coding-agent runtime (SPEC §5.4.8–5.4.9).
type Agent struct {
	Runtime     string      `yaml:"runtime"`
	Command     string      `yaml:"command"`
	Concurrency Concurrency `yaml:"concurrency"`
	Limits      Limits      `yaml:"limits"`
	Prompts     Prompts     `yaml:"prompts"`
	Permissions Permissions `yaml:"permissions"`
	MCP         MCP         `yaml:"mcp"`
	Timeouts    Timeouts    `yaml:"timeouts"`
	// EnvPassthrough names variables of Symphony's environment the agent also gets, beyond
	// the sandbox's allowlist; credential-named variables are refused.
	EnvPassthrough []string `yaml:"env_passthrough"`
	// LoginShell runs agent.command under `bash -lc` (the login profile runs first, and may
	// reset PATH) instead of resolving its program on Symphony's PATH.
	LoginShell bool `yaml:"login_shell"`
	// Claude holds options of the claude runtime only.
	Claude ClaudeAgent `yaml:"claude"`
	// HumanInput configures request_human_input: where an issue waits for an answer and what
	// resumes it.
	HumanInput HumanInput `yaml:"human_input"`
	// Pricing maps a model name, as the runtime reports it, to its token prices; runs of a
	// model without an entry cost nothing unless the runtime reports a cost itself.
	Pricing map[string]ModelPrice `yaml:"pricing"`
}

// ModelPrice is what one model costs, in US dollars per million tokens of each bucket
// (docs/token_accounting.md names the buckets).
type ModelPrice struct {
	Input              float64 `yaml:"input"`
	CachedInput        float64 `yaml:"cached_input"`
	CacheCreationInput float64 `yaml:"cache_creation_input"`
	Output             float64 `yaml:"output"`
}

// HumanInput configures how an agent's question to a human parks its issue and how a reply
// brings it back.
type HumanInput struct {
	// State is the workflow state an issue waits in; it must be neither active nor terminal.
	State string `yaml:"state"`
	// ResumeOnReply starts the next attempt on a reply while the issue is still in State,
	// moving it back to the state it was asked from; otherwise a human moves it back.
	ResumeOnReply bool `yaml:"resume_on_reply"`
	// AcceptBotReplies counts replies by bot accounts (authors ending in "[bot]") as answers.
	AcceptBotReplies bool `yaml:"accept_bot_replies"`
}

// ClaudeAgent configures the claude runtime.
type ClaudeAgent struct {
	// Resume continues the previous turn's Claude Code conversation (--resume <session_id>)
	// on continuation turns of an attempt, instead of starting each turn afresh from the
	// workspace, workpad and tracker state. Off by default, as in the reference.
	Resume bool `yaml:"resume"`
}

// Concurrency caps how many agents run at once, globally and per issue state.
type Concurrency struct {
	MaxTotal int `yaml:"max_total"`
	// MaxByIssueState is keyed by lowercased state name after loading.
	MaxByIssueState map[string]int `yaml:"max_by_issue_state"`
}

// Limits bound turns, retries, tool-failure loops and tokens.
type Limits struct {
	MaxTurns                            int `yaml:"max_turns"`
	RetryBackoffMaxMs                   int `yaml:"retry_backoff_max_ms"`
	MaxConsecutiveIdenticalToolFailures int `yaml:"max_consecutive_identical_tool_failures"`
	// TokensPerIssue caps an issue's tokens across all its attempts and retries;
	// TokensPerDay caps all tokens per UTC day. Each is nil when disabled with null.
	TokensPerIssue *int64 `yaml:"tokens_per_issue"`
	TokensPerDay   *int64 `yaml:"tokens_per_day"`
	// DollarsPerIssue and DollarsPerDay are the same caps in US dollars, priced with
	// agent.pricing (or the runtime's own cost); each is off when null, the default.
	DollarsPerIssue *float64 `yaml:"dollars_per_issue"`
	DollarsPerDay   *float64 `yaml:"dollars_per_day"`
}

// Prompts configures prompt assembly.
type Prompts struct {
	IncludeProjectGuides bool `yaml:"include_project_guides"`
	// ProjectGuideFiles is nil for the runtime's default list.
	ProjectGuideFiles        []string `yaml:"project_guide_files"`
	CodexStdioSoftLimitBytes int      `yaml:"codex_stdio_soft_limit_bytes"`
}

// Permissions is the agent sandbox policy (SPEC §5.4.9).
type Permissions struct {
	// ApprovalPolicy is a Codex AskForApproval value (string or object); nil means the
	// runtime's default.
	ApprovalPolicy any          `yaml:"approval_policy"`
	Filesystem     Filesystem   `yaml:"filesystem"`
	Network        Network      `yaml:"network"`
	OuterSandbox   OuterSandbox `yaml:"outer_sandbox"`
}

// Filesystem is the filesystem side of the sandbox policy.
type Filesystem struct {
	Sandbox string `yaml:"sandbox"`
	// TurnPolicy is a Codex SandboxPolicy object; nil means workspaceWrite at the workspace.
	TurnPolicy      map[string]any `yaml:"turn_policy"`
	AllowReadPaths  []string       `yaml:"allow_read_paths"`
	AllowWritePaths []string       `yaml:"allow_write_paths"`
}

// Network is the agent's outbound network policy.
type Network struct {
	Mode           string   `yaml:"mode"`
	AllowedDomains []string `yaml:"allowed_domains"`
	DeniedDomains  []string `yaml:"denied_domains"`
}

// OuterSandbox wraps the agent in an OS sandbox (srt).
type OuterSandbox struct {
	Runtime                      string `yaml:"runtime"`
	Command                      string `yaml:"command"`
	EnableWeakerNetworkIsolation bool   `yaml:"enable_weaker_network_isolation"`
}

// MCP controls which MCP servers the agent can reach besides Symphony's own.
type MCP struct {
	Inherit        string               `yaml:"inherit"`
	AllowedServers []string             `yaml:"allowed_servers"`
	Servers        map[string]MCPServer `yaml:"servers"`
}

// MCPServer declares one MCP server published to agents.
type MCPServer struct {
	Transport string            `yaml:"transport"`
	Command   string            `yaml:"command"`
	Args      []string          `yaml:"args"`
	Env       map[string]string `yaml:"env"`
	URL       string            `yaml:"url"`
	Headers   map[string]string `yaml:"headers"`
	Runtimes  []string          `yaml:"runtimes"`
}

// SetDefaults implements yamlschema.Defaulter.
func (s *MCPServer) SetDefaults() {
	s.Transport = "stdio"
	s.Runtimes = []string{"claude", "codex"}
}

// Timeouts bound agent turns, reads, stalls and shell commands.
type Timeouts struct {
	TurnMs    int `yaml:"turn_ms"`
	ReadMs    int `yaml:"read_ms"`
	StallMs   int `yaml:"stall_ms"`
	CommandMs int `yaml:"command_ms"`
}

// PrePushReview configures the reviewer agent that runs before a push (SPEC §5.4.16).
type PrePushReview struct {
	Enabled       bool   `yaml:"enabled"`
	Runtime       string `yaml:"runtime"`
	Command       string `yaml:"command"`
	MaxIterations int    `yaml:"max_iterations"`
	RunOn         string `yaml:"run_on"`
}

// PullRequests configures PR review, CI polling and learnings (SPEC §5.4.6).
type PullRequests struct {
	Enabled bool `yaml:"enabled"`
	// PollIntervalMs is nil to follow issues.poll_interval_ms.
	PollIntervalMs *int `yaml:"poll_interval_ms"`
	// ReviewState is the tracker state the pollers watch for issues with an open PR;
	// ReworkState is where rework, conflict and CI-fix runs move the issue; MergeState is
	// where an approved PR's issue goes. Blank means the default.
	ReviewState    string         `yaml:"review_state"`
	ReworkState    string         `yaml:"rework_state"`
	MergeState     string         `yaml:"merge_state"`
	ReviewComments ReviewComments `yaml:"review_comments"`
	Checks         Checks         `yaml:"checks"`
	Learnings      Learnings      `yaml:"learnings"`
}

// ReviewComments configures how PR review feedback is handled.
type ReviewComments struct {
	ReworkDelayMinutes     int      `yaml:"rework_delay_minutes"`
	StaleAfterDays         int      `yaml:"stale_after_days"`
	IgnoredReviewers       []string `yaml:"ignored_reviewers"`
	ReplyAfterAddressing   bool     `yaml:"reply_after_addressing"`
	RequestReviewAfterPush bool     `yaml:"request_review_after_push"`
}

// Checks configures CI failure handling (SPEC §5.4.13).
type Checks struct {
	Enabled         bool   `yaml:"enabled"`
	LogExcerptLines int    `yaml:"log_excerpt_lines"`
	RetryFailedOnce bool   `yaml:"retry_failed_once"`
	MaxFixAttempts  int    `yaml:"max_fix_attempts"`
	EscalateToState string `yaml:"escalate_to_state"`
}

// Learnings configures capture of review learnings (SPEC §5.4.15).
type Learnings struct {
	Enabled         bool   `yaml:"enabled"`
	Provider        string `yaml:"provider"`
	Model           string `yaml:"model"`
	MaxTotalPerRepo int    `yaml:"max_total_per_repo"`
	MaxPerRun       int    `yaml:"max_per_run"`
}

// Verification is shared with WORKFLOW.md, which may override it per repository.
type Verification = workflow.Verification

// Dashboard configures the loopback dashboard and its listener (SPEC §5.4.12).
type Dashboard struct {
	Enabled              bool   `yaml:"enabled"`
	Host                 string `yaml:"host"`
	Port                 *int   `yaml:"port"`
	RefreshMs            int    `yaml:"refresh_ms"`
	RenderIntervalMs     int    `yaml:"render_interval_ms"`
	SnapshotPublishMs    int    `yaml:"snapshot_publish_ms"`
	TranscriptBufferSize int    `yaml:"transcript_buffer_size"`
	// Terminal draws the live terminal view (as `symphony status --watch` does) on the
	// service's own terminal while stdin and stdout are terminals; q or Ctrl-C closes the view
	// and leaves the service running. Logs then go only to the log file until it closes.
	Terminal bool `yaml:"terminal"`
}

// IssueGate configures the pre-dispatch clarity gate (SPEC §5.4.14).
type IssueGate struct {
	Enabled                bool   `yaml:"enabled"`
	Provider               string `yaml:"provider"`
	Model                  string `yaml:"model"`
	PassThreshold          int    `yaml:"pass_threshold"`
	ClarificationFloor     *int   `yaml:"clarification_floor"`
	MaxClarificationRounds int    `yaml:"max_clarification_rounds"`
	OnError                string `yaml:"on_error"`
}

// RemovedKeys points the old spelling at the new one.
func (*IssueGate) RemovedKeys() map[string]string {
	return map[string]string{"min_score": "use `pass_threshold`"}
}

// Watchdog configures the no-progress watchdog (SPEC §5.4.10).
type Watchdog struct {
	Enabled               bool `yaml:"enabled"`
	TickIntervalMs        int  `yaml:"tick_interval_ms"`
	NoProgressThresholdMs int  `yaml:"no_progress_threshold_ms"`
}

// DependencyAudit is the policy of the dependency audit gate.
type DependencyAudit struct {
	AllowRegistries  []string `yaml:"allow_registries"`
	AllowGitSources  []string `yaml:"allow_git_sources"`
	AllowPathSources []string `yaml:"allow_path_sources"`
}

// Enabled reports whether the file sets any allow-list, which turns the gate on.
func (d DependencyAudit) Enabled() bool {
	return len(d.AllowRegistries)+len(d.AllowGitSources)+len(d.AllowPathSources) > 0
}

// Notifications configures outbound notifications (SPEC §5.4.17).
type Notifications struct {
	Enabled      bool      `yaml:"enabled"`
	RedactTitles bool      `yaml:"redact_titles"`
	Channels     []Channel `yaml:"channels"`
}

// Channel is one Slack or webhook destination.
type Channel struct {
	Kind         string `yaml:"kind"`
	WebhookURL   string `yaml:"webhook_url"`
	URL          string `yaml:"url"`
	AllowPrivate bool   `yaml:"allow_private"`
	// Events are the events this channel receives, from pr_opened, awaiting_review,
	// run_failed, issue_completed, budget_exceeded, reviewer_commented, rework_pushed,
	// ci_failed, ci_escalated and awaiting_input; without it the channel receives every event.
	Events  []string          `yaml:"events"`
	Headers map[string]string `yaml:"headers"`
}

// Poller tunes tracker poll back-off when the tracker is failing.
type Poller struct {
	// BackoffBaseMs is nil to start from the poll interval.
	BackoffBaseMs     *int `yaml:"backoff_base_ms"`
	MaxBackoffMs      int  `yaml:"max_backoff_ms"`
	DegradedThreshold int  `yaml:"degraded_threshold"`
}
