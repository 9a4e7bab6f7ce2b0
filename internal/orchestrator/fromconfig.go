package orchestrator

import (
	"path/filepath"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/tracker"
)

// FromConfig maps a validated symphony.yml onto Settings.
func FromConfig(cfg *config.Config) Settings {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	s := Settings{
		PollInterval:    ms(cfg.Issues.PollIntervalMs),
		ActiveStates:    cfg.Issues.States.Active,
		TerminalStates:  cfg.Issues.States.Terminal,
		MaxTotal:        cfg.Agent.Concurrency.MaxTotal,
		MaxByState:      cfg.Agent.Concurrency.MaxByIssueState,
		MaxTurns:        cfg.Agent.Limits.MaxTurns,
		RetryBackoffMax: ms(cfg.Agent.Limits.RetryBackoffMaxMs),
		StallTimeout:    ms(cfg.Agent.Timeouts.StallMs),
		Watchdog: Watchdog{Enabled: cfg.Watchdog.Enabled, Tick: ms(cfg.Watchdog.TickIntervalMs),
			Threshold: ms(cfg.Watchdog.NoProgressThresholdMs)},
		AgentKind:        cfg.Agent.Runtime,
		StartState:       cfg.StartState(),
		WorkingState:     config.DefaultReworkState,
		SnapshotInterval: ms(cfg.Dashboard.SnapshotPublishMs),
		TranscriptEvents: cfg.Dashboard.TranscriptBufferSize,
		HumanInput: HumanInput{State: cfg.Agent.HumanInput.State, ResumeOnReply: cfg.Agent.HumanInput.ResumeOnReply,
			AcceptBotReplies: cfg.Agent.HumanInput.AcceptBotReplies},
	}
	if p := cfg.Agent.Limits.TokensPerIssue; p != nil {
		s.TokensPerIssue = *p
	}
	if p := cfg.Agent.Limits.TokensPerDay; p != nil {
		s.TokensPerDay = *p
	}
	if p := cfg.Agent.Limits.DollarsPerIssue; p != nil {
		s.DollarsPerIssue = *p
	}
	if p := cfg.Agent.Limits.DollarsPerDay; p != nil {
		s.DollarsPerDay = *p
	}
	for model, p := range cfg.Agent.Pricing {
		if s.Pricing == nil {
			s.Pricing = make(map[string]Price, len(cfg.Agent.Pricing))
		}
		s.Pricing[model] = Price{Input: p.Input, CachedInput: p.CachedInput, CacheCreationInput: p.CacheCreationInput, Output: p.Output}
	}
	s.WorkerHosts = cfg.Workers.SSHHosts
	if p := cfg.Workers.MaxConcurrentAgentsPerHost; p != nil {
		s.MaxAgentsPerHost = *p
	}
	s.Routes = tracker.SettingsFromConfig(cfg).Routes
	if w := cfg.BudgetWarning(); w != "" {
		s.Warnings = append(s.Warnings, w)
	}
	return s
}

// TemplatesFromConfig returns each repository's issue template with its partials directory.
func TemplatesFromConfig(cfg *config.Config) map[string]prompt.Template {
	out := make(map[string]prompt.Template, len(cfg.Repositories))
	for _, r := range cfg.Repositories {
		if r.Loaded == nil {
			continue
		}
		out[r.Key] = prompt.Template{Source: r.Loaded.PromptTemplate, Path: r.WorkflowPath, Line: r.Loaded.PromptLine,
			PartialsDir: filepath.Join(filepath.Dir(r.WorkflowPath), filepath.FromSlash(prompt.RepoPartialsDir))}
	}
	return out
}

// PRTemplatesFromConfig maps each repository key to its WORKFLOW.md prompts.pr template;
// repositories without one are left out and get the built-in PR prompt.
func PRTemplatesFromConfig(cfg *config.Config) map[string]prompt.Template {
	out := make(map[string]prompt.Template, len(cfg.Repositories))
	for _, r := range cfg.Repositories {
		if r.Loaded == nil || r.Loaded.PRPrompt == "" {
			continue
		}
		out[r.Key] = prompt.Template{Source: r.Loaded.PRPrompt, Path: r.WorkflowPath, Line: r.Loaded.PRPromptLine,
			PartialsDir: filepath.Join(filepath.Dir(r.WorkflowPath), filepath.FromSlash(prompt.RepoPartialsDir))}
	}
	return out
}
