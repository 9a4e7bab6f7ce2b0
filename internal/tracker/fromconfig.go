package tracker

import "github.com/symphony-go/symphony/internal/config"

// SettingsFromConfig maps the operator config onto the routing settings every provider takes;
// the issue-level scope comes from the configured provider's section.
func SettingsFromConfig(cfg *config.Config) Settings {
	s := Settings{
		Scope: Scope{
			ProjectSlug: cfg.Issues.Linear.Scope.ProjectSlug,
			Team:        cfg.Issues.Linear.Scope.Team,
			Labels:      cfg.Issues.Linear.Scope.Labels,
			Assignee:    cfg.Issues.Linear.Assignee,
		},
		ActiveStates:   cfg.Issues.States.Active,
		TerminalStates: cfg.Issues.States.Terminal,
	}
	switch cfg.Issues.Provider {
	case "github":
		s.Scope = Scope{Labels: cfg.Issues.GitHub.Labels, Assignee: cfg.Issues.GitHub.Assignee}
	case "jira":
		s.Scope = Scope{Labels: cfg.Issues.Jira.Labels, Assignee: cfg.Issues.Jira.Assignee}
	case "gitlab":
		s.Scope = Scope{Labels: cfg.Issues.GitLab.Labels, Assignee: cfg.Issues.GitLab.Assignee}
	}
	for _, r := range cfg.Repositories {
		s.Routes = append(s.Routes, Route{Key: r.Key, Default: r.Default, Team: r.Route.Team,
			Projects: r.Route.Projects, Labels: r.Route.Labels, Assignee: r.Route.Assignee})
	}
	return s
}
