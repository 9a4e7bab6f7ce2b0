package gitlab

import (
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/tracker"
)

// TokenEnv names the environment variable the GitLab token is read from.
const TokenEnv = "GITLAB_TOKEN"

// FromConfig builds the tracker issues.gitlab configures, with the token from GITLAB_TOKEN.
func FromConfig(cfg *config.Config, getenv func(string) string) (*Tracker, error) {
	g := cfg.Issues.GitLab
	return New(Options{BaseURL: g.BaseURL, Token: getenv(TokenEnv), Project: g.Project, StateLabels: g.StateLabels, Settings: tracker.SettingsFromConfig(cfg)})
}
