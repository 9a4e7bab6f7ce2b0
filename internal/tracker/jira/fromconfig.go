package jira

import (
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/tracker"
)

// FromConfig builds the tracker issues.jira configures (its JIRA_* fallbacks already applied
// by the config loader).
func FromConfig(cfg *config.Config) (*Client, error) {
	j := cfg.Issues.Jira
	return New(Options{BaseURL: j.BaseURL, Email: j.Email, APIToken: j.APIToken, ProjectKey: j.ProjectKey, Settings: tracker.SettingsFromConfig(cfg)})
}
