package cli

import (
	"fmt"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/gate"
)

// issueGate builds the issue gate when issue_gate.enabled is set, nil otherwise. Its scores
// persist in the run store, so a restart does not re-score unchanged issues; its comments go
// through the service's tracker. A missing provider key refuses the start instead of failing
// every poll. The gate is built once: issue_gate changes take effect on restart.
func (s *service) issueGate(cfg *config.Config) (*gate.Gate, error) {
	if !cfg.IssueGate.Enabled {
		return nil, nil
	}
	g, err := gate.New(cfg.IssueGate, gate.Deps{Cache: gate.NewKVCache(s.store), Commenter: s.tracker, Scanner: s.redactor, Tracker: cfg.Issues.Provider})
	if err != nil {
		return nil, usageErr(fmt.Errorf("refusing to start: %s: %w", cfg.Path, err))
	}
	s.logger.Info("issue gate enabled", "provider", cfg.IssueGate.Provider, "model", cfg.IssueGate.Model,
		"pass_threshold", cfg.IssueGate.PassThreshold, "on_error", cfg.IssueGate.OnError)
	return g, nil
}
