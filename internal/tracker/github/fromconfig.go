package github

import (
	"time"

	"github.com/symphony-go/symphony/internal/config"
	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/tracker"
)

// pollRateLimitWait is the longest a tracker request waits out a GitHub rate limit before
// reporting tracker_rate_limited with the reset time, so the poller backs off instead of
// holding a tick.
const pollRateLimitWait = 5 * time.Second

// FromConfig builds the tracker issues.github configures: the token from GH_TOKEN or
// GITHUB_TOKEN, the API from SYMPHONY_GITHUB_API_URL or api.github.com (plain http only on a
// loopback test server), with conditional reads on.
func FromConfig(cfg *config.Config, getenv func(string) string) (*Tracker, error) {
	token, err := ghapi.TokenFromEnv(getenv)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeMissingAPIKey, "provider github: %w", err)
	}
	endpoint, err := ghapi.EndpointFor(ghapi.PublicHost, cfg.GitHub.EnterpriseHosts, getenv)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "provider github: %w", err)
	}
	if err := tracker.CheckBaseURL(ghapi.APIURLEnv, endpoint.REST); err != nil {
		return nil, err
	}
	client, err := ghapi.New(ghapi.Options{Endpoint: endpoint, Token: token, ConditionalReads: true, MaxRateLimitWait: pollRateLimitWait})
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "provider github: %w", err)
	}
	g := cfg.Issues.GitHub
	return New(Options{Client: client, Repos: g.Repos, StateLabels: g.StateLabels, PriorityLabels: g.PriorityLabels,
		Settings: tracker.SettingsFromConfig(cfg)})
}
