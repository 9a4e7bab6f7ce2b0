package orchestrator

import (
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/prompt"
)

// PrePushReviewFromConfig maps pre_push_review onto the worker's reviewer; nil when it is
// disabled. newReviewer builds the reviewer's sessions (its runtime and command, read-only
// tools).
func PrePushReviewFromConfig(cfg *config.Config, newReviewer AgentFactory) *PrePushReview {
	p := cfg.PrePushReview
	if !p.Enabled {
		return nil
	}
	bases := make(map[string]string, len(cfg.Repositories))
	for _, r := range cfg.Repositories {
		bases[r.Key] = r.BaseBranch
	}
	return &PrePushReview{MaxIterations: p.MaxIterations, FirstPushOnly: p.RunOn == "first_push", BaseBranch: bases,
		EscalateToState: cfg.PullRequests.Checks.EscalateToState, NewReviewer: newReviewer, IssueFields: prompt.IssueFieldsFor(cfg.Issues.Provider)}
}
