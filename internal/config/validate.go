package config

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/sandbox"
)

// validate applies every value rule of the reference schema; each violation is reported with
// its key path and file position.
func (l *loader) validate() {
	l.validateIssues()
	l.validateRepositories()
	l.validateWorkspaces()
	l.validateAgent()
	l.validatePermissions()
	l.validateMCP()
	l.validateExtensions()
	for _, p := range l.operatorSettings().ValidateOperator(l.file) {
		l.bad(p.Path, p.Msg)
	}
	l.validateSandbox()
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func (l *loader) positive(path string, v int) {
	if v <= 0 {
		l.bad(path, fmt.Sprintf("must be a positive integer, got %d", v))
	}
}

func (l *loader) nonNegative(path string, v int) {
	if v < 0 {
		l.bad(path, fmt.Sprintf("must be zero or a positive integer, got %d", v))
	}
}

func (l *loader) oneOf(path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		l.bad(path, fmt.Sprintf("must be one of %s, got %s", strings.Join(allowed, ", "), quote(v)))
	}
}

func (l *loader) required(path, v string) bool {
	if strings.TrimSpace(v) == "" {
		l.bad(path, "is required")
		return false
	}
	return true
}

func (l *loader) noBlankEntries(path string, list []string) {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			l.bad(fmt.Sprintf("%s[%d]", path, i), "must not be blank")
		}
	}
}

func (l *loader) validateIssues() {
	is := l.cfg.Issues
	if l.required("issues.provider", is.Provider) {
		l.oneOf("issues.provider", is.Provider, "linear", "github", "gitlab", "jira", "local", "memory")
	}
	l.positive("issues.poll_interval_ms", is.PollIntervalMs)
	l.noBlankEntries("issues.states.active", is.States.Active)
	l.noBlankEntries("issues.states.terminal", is.States.Terminal)
	if len(is.States.Active) == 0 {
		l.bad("issues.states.active", "must list at least one state")
	}
	l.noBlankEntries("issues.linear.scope.labels", is.Linear.Scope.Labels)
	switch is.Provider {
	case "linear":
		if u, err := url.Parse(is.Linear.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			l.bad("issues.linear.endpoint", "must be an http(s) URL, got "+quote(is.Linear.Endpoint))
		}
		if strings.TrimSpace(is.Linear.APIKey) == "" {
			l.bad("issues.linear.api_key", "is required for provider linear: set it to $LINEAR_API_KEY and export that variable (it is empty or unset)")
		}
		if !l.hasLinearScope() {
			l.bad("issues.linear.scope", "provider linear needs at least one scope: issues.linear.scope.project_slug, .team, non-empty .labels, or a repositories[].route selector")
		}
	case "github":
		l.validateGitHubIssues()
	case "jira":
		l.validateJira()
	case "gitlab":
		l.validateGitLab()
	case "local":
		l.required("issues.local.dir", is.Local.Dir)
	}
}

// hasLinearScope reports whether polling is narrowed by an issue-level scope or a route;
// blank entries do not count.
func (l *loader) hasLinearScope() bool {
	s := l.cfg.Issues.Linear.Scope
	if strings.TrimSpace(s.ProjectSlug) != "" || strings.TrimSpace(s.Team) != "" || len(uniqueNonBlank(s.Labels)) > 0 {
		return true
	}
	for _, r := range l.cfg.Repositories {
		if r.Route.scoped() {
			return true
		}
	}
	return false
}

func (l *loader) validateWorkspaces() {
	w := l.cfg.Workspaces
	l.required("workspaces.root", w.Root)
	l.oneOf("workspaces.strategy", w.Strategy, "clone", "worktree")
	c := w.Cleanup
	l.positive("workspaces.cleanup.max_age_days", c.MaxAgeDays)
	l.positive("workspaces.cleanup.interval_ms", c.IntervalMs)
	if c.MinFreeBytes != nil && *c.MinFreeBytes <= 0 {
		l.bad("workspaces.cleanup.min_free_bytes", fmt.Sprintf("must be a positive number of bytes, got %d (leave it out to disable the guard)", *c.MinFreeBytes))
	}
	l.oneOf("workspaces.cleanup.orphan_action", c.OrphanAction, "log", "delete", "trash")
	if l.required("workspaces.cleanup.trash_dir", c.TrashDir) {
		if filepath.IsAbs(c.TrashDir) || slices.Contains(strings.Split(filepath.ToSlash(c.TrashDir), "/"), "..") {
			l.bad("workspaces.cleanup.trash_dir", "must be a relative directory inside workspaces.root, got "+quote(c.TrashDir))
		}
	}
	l.validateSSHHosts()
	if n := l.cfg.Workers.MaxConcurrentAgentsPerHost; n != nil {
		l.positive("workers.max_concurrent_agents_per_host", *n)
	}
}

func (l *loader) validateAgent() {
	a := l.cfg.Agent
	if l.required("agent.runtime", a.Runtime) {
		l.oneOf("agent.runtime", a.Runtime, "codex", "claude")
	}
	l.required("agent.command", a.Command)
	if a.Claude.Resume && a.Runtime != "claude" {
		l.bad("agent.claude.resume", "applies to agent.runtime claude only, got runtime "+quote(a.Runtime))
	}
	if l.required("agent.human_input.state", a.HumanInput.State) {
		st := l.cfg.Issues.States
		if containsFold(st.Active, a.HumanInput.State) || containsFold(st.Terminal, a.HumanInput.State) {
			l.bad("agent.human_input.state", quote(a.HumanInput.State)+" is an active or terminal state; an issue waiting for an answer must be in neither")
		}
	}
	l.positive("agent.concurrency.max_total", a.Concurrency.MaxTotal)
	l.positive("agent.limits.max_turns", a.Limits.MaxTurns)
	l.positive("agent.limits.retry_backoff_max_ms", a.Limits.RetryBackoffMaxMs)
	l.nonNegative("agent.limits.max_consecutive_identical_tool_failures", a.Limits.MaxConsecutiveIdenticalToolFailures)
	if v := a.Limits.TokensPerIssue; v != nil && *v <= 0 {
		l.bad("agent.limits.tokens_per_issue", "must be a positive integer, or null to disable the cap")
	}
	if v := a.Limits.TokensPerDay; v != nil && *v <= 0 {
		l.bad("agent.limits.tokens_per_day", "must be a positive integer, or null to disable the cap")
	}
	if v := a.Limits.DollarsPerIssue; v != nil && *v <= 0 {
		l.bad("agent.limits.dollars_per_issue", fmt.Sprintf("must be a positive number of US dollars, or null to disable the cap, got %v", *v))
	}
	if v := a.Limits.DollarsPerDay; v != nil && *v <= 0 {
		l.bad("agent.limits.dollars_per_day", fmt.Sprintf("must be a positive number of US dollars, or null to disable the cap, got %v", *v))
	}
	l.validatePricing(a.Pricing)
	l.positive("agent.timeouts.turn_ms", a.Timeouts.TurnMs)
	l.positive("agent.timeouts.read_ms", a.Timeouts.ReadMs)
	l.nonNegative("agent.timeouts.stall_ms", a.Timeouts.StallMs)
	l.nonNegative("agent.timeouts.command_ms", a.Timeouts.CommandMs)
	l.positive("agent.prompts.codex_stdio_soft_limit_bytes", a.Prompts.CodexStdioSoftLimitBytes)
	for i, name := range a.EnvPassthrough {
		if p := sandbox.PassthroughProblem(name); p != "" {
			l.bad(fmt.Sprintf("agent.env_passthrough[%d]", i), p)
		}
	}
	for i, f := range a.Prompts.ProjectGuideFiles {
		path := fmt.Sprintf("agent.prompts.project_guide_files[%d]", i)
		t := strings.TrimSpace(f)
		switch {
		case t == "":
			l.bad(path, "must not be blank")
		case filepath.IsAbs(t) || strings.HasPrefix(t, "~"):
			l.bad(path, "must be a path relative to the workspace, got "+quote(f))
		case strings.ContainsAny(t, "\n\r\x00"):
			l.bad(path, "must not contain control characters")
		case slices.Contains(strings.Split(filepath.ToSlash(t), "/"), ".."):
			l.bad(path, "must not contain .. segments, got "+quote(f))
		}
	}
}

func (l *loader) validateExtensions() {
	c := l.cfg
	g := c.GitHub
	l.noBlankEntries("github.enterprise_hosts", g.EnterpriseHosts)
	l.positive("github.failed_run_log_max_bytes", g.FailedRunLogMaxBytes)

	p := c.PrePushReview
	if p.Enabled {
		if l.required("pre_push_review.runtime", p.Runtime) {
			l.oneOf("pre_push_review.runtime", p.Runtime, "codex", "claude")
		}
		l.required("pre_push_review.command", p.Command)
	} else if p.Runtime != "" {
		l.oneOf("pre_push_review.runtime", p.Runtime, "codex", "claude")
	}
	l.positive("pre_push_review.max_iterations", p.MaxIterations)
	l.oneOf("pre_push_review.run_on", p.RunOn, "always", "first_push")

	pr := c.PullRequests
	if pr.PollIntervalMs != nil {
		l.positive("pull_requests.poll_interval_ms", *pr.PollIntervalMs)
	}
	l.nonNegative("pull_requests.review_comments.rework_delay_minutes", pr.ReviewComments.ReworkDelayMinutes)
	l.positive("pull_requests.review_comments.stale_after_days", pr.ReviewComments.StaleAfterDays)
	l.noBlankEntries("pull_requests.review_comments.ignored_reviewers", pr.ReviewComments.IgnoredReviewers)
	l.positive("pull_requests.checks.log_excerpt_lines", pr.Checks.LogExcerptLines)
	l.nonNegative("pull_requests.checks.max_fix_attempts", pr.Checks.MaxFixAttempts)
	ln := pr.Learnings
	if ln.Enabled && !pr.Enabled {
		l.bad("pull_requests.learnings.enabled", "needs pull_requests.enabled: true, since the review poller is what sees a pull request merged")
	}
	l.oneOf("pull_requests.learnings.provider", ln.Provider, "anthropic", "openai")
	l.required("pull_requests.learnings.model", ln.Model)
	l.positive("pull_requests.learnings.max_total_per_repo", ln.MaxTotalPerRepo)
	if ln.MaxPerRun < 0 || ln.MaxPerRun > 3 {
		l.bad("pull_requests.learnings.max_per_run", fmt.Sprintf("must be between 0 and 3, got %d", ln.MaxPerRun))
	}

	d := c.Dashboard
	l.required("dashboard.host", d.Host)
	if d.Port != nil && (*d.Port < 0 || *d.Port > 65535) {
		l.bad("dashboard.port", fmt.Sprintf("must be a port between 0 and 65535, got %d", *d.Port))
	}
	l.positive("dashboard.refresh_ms", d.RefreshMs)
	l.positive("dashboard.render_interval_ms", d.RenderIntervalMs)
	l.positive("dashboard.snapshot_publish_ms", d.SnapshotPublishMs)
	l.nonNegative("dashboard.transcript_buffer_size", d.TranscriptBufferSize)

	ig := c.IssueGate
	l.oneOf("issue_gate.provider", ig.Provider, "anthropic", "openai")
	l.required("issue_gate.model", ig.Model)
	if ig.PassThreshold < 1 || ig.PassThreshold > 10 {
		l.bad("issue_gate.pass_threshold", fmt.Sprintf("must be between 1 and 10, got %d", ig.PassThreshold))
	}
	if f := ig.ClarificationFloor; f != nil {
		if *f < 1 || *f > 10 {
			l.bad("issue_gate.clarification_floor", fmt.Sprintf("must be between 1 and 10, got %d", *f))
		} else if *f >= ig.PassThreshold {
			l.bad("issue_gate.clarification_floor", fmt.Sprintf("must be lower than issue_gate.pass_threshold (%d), got %d", ig.PassThreshold, *f))
		}
	}
	l.positive("issue_gate.max_clarification_rounds", ig.MaxClarificationRounds)
	l.oneOf("issue_gate.on_error", ig.OnError, "pass", "skip")

	w := c.Watchdog
	l.positive("watchdog.tick_interval_ms", w.TickIntervalMs)
	l.positive("watchdog.no_progress_threshold_ms", w.NoProgressThresholdMs)

	po := c.Poller
	if po.BackoffBaseMs != nil {
		l.positive("poller.backoff_base_ms", *po.BackoffBaseMs)
	}
	l.positive("poller.max_backoff_ms", po.MaxBackoffMs)
	l.positive("poller.degraded_threshold", po.DegradedThreshold)

	da := c.DependencyAudit
	l.noBlankEntries("dependency_audit.allow_registries", da.AllowRegistries)
	l.noBlankEntries("dependency_audit.allow_git_sources", da.AllowGitSources)
	l.noBlankEntries("dependency_audit.allow_path_sources", da.AllowPathSources)

	l.validateNotifications()
}

// NotificationEvents are the events a channel may subscribe to.
var NotificationEvents = []string{
	"pr_opened", "awaiting_review", "run_failed", "issue_completed", "budget_exceeded",
	"reviewer_commented", "rework_pushed", "ci_failed", "ci_escalated", "awaiting_input",
}

func (l *loader) validateNotifications() {
	n := l.cfg.Notifications
	for i, ch := range n.Channels {
		prefix := fmt.Sprintf("notifications.channels[%d]", i)
		if !l.required(prefix+".kind", ch.Kind) {
			continue
		}
		l.oneOf(prefix+".kind", ch.Kind, "slack", "webhook")
		for j, e := range ch.Events {
			if !slices.Contains(NotificationEvents, e) {
				l.bad(fmt.Sprintf("%s.events[%d]", prefix, j), fmt.Sprintf("unknown event %s; known events: %s", quote(e), strings.Join(NotificationEvents, ", ")))
			}
		}
		field, value := prefix+".webhook_url", ch.WebhookURL
		if ch.Kind == "webhook" {
			field, value = prefix+".url", ch.URL
		}
		if strings.TrimSpace(value) == "" {
			if n.Enabled {
				l.bad(field, "is required when notifications are enabled (if it names $VAR, that variable is empty or unset)")
			}
			continue
		}
		if u, err := url.Parse(value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			l.bad(field, "must be an http(s) URL")
		}
	}
}

// containsFold reports whether list names state, compared the way issue states are: case and
// surrounding space ignored.
func containsFold(list []string, state string) bool {
	return slices.ContainsFunc(list, func(s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(state))
	})
}

// validatePricing checks that every price is a non-negative number of dollars per million
// tokens; unknown bucket names, text and .inf/.nan are already refused when the file is decoded.
func (l *loader) validatePricing(pricing map[string]ModelPrice) {
	for _, model := range slices.Sorted(maps.Keys(pricing)) {
		path := "agent.pricing." + model
		if strings.TrimSpace(model) == "" {
			l.bad(path, "model names must not be blank")
			continue
		}
		p := pricing[model]
		for _, b := range []struct {
			key   string
			price float64
		}{{"input", p.Input}, {"cached_input", p.CachedInput}, {"cache_creation_input", p.CacheCreationInput}, {"output", p.Output}} {
			if b.price < 0 {
				l.bad(path+"."+b.key, fmt.Sprintf("must be a non-negative number of dollars per million tokens, got %v", b.price))
			}
		}
	}
}
