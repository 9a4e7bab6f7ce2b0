package cli

import (
	"log/slog"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// reviewerConfig is cfg as the pre-push reviewer's sessions see it: pre_push_review's runtime
// and command in place of the executor's, and for Codex a read-only turn sandbox, so the
// reviewer reads the workspace and changes nothing.
func reviewerConfig(cfg *config.Config) *config.Config {
	c := *cfg
	c.Agent.Runtime, c.Agent.Command = cfg.PrePushReview.Runtime, cfg.PrePushReview.Command
	if c.Agent.Runtime == "codex" {
		c.Agent.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "readOnly", "networkAccess": false}
	}
	return &c
}

// newReviewerFactory builds pre-push reviewer sessions like the executor's, from the
// configuration in force, with the reviewer's runtime and read-only scoped tools.
func newReviewerFactory(configs *config.Store, ws *liveWorkspaces, stateRoot, logsRoot string, hosts toolHostFactory, secrets *secretscan.Scanner, leftovers *hostLeftovers, logger *slog.Logger) orchestrator.AgentFactory {
	return newSessionFactory(func() *config.Config { return reviewerConfig(configs.Current()) }, ws, stateRoot, logsRoot, hosts, secrets, leftovers, logger.With("role", "reviewer"))
}
