package cli

import (
	"context"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/tools"
)

// toolHostFactory binds a tool host to the issue an agent session is about to work on.
type toolHostFactory func(cfg *config.Config, req orchestrator.AgentRequest) (agent.ToolRegistry, error)

// toolHosts builds each session's scoped tracker tools over the service's tracker, with comment
// ownership kept in the run store and every call audited, plus the GitHub tools when the
// session's workspace is a clone of a GitHub repository.
func (s *service) toolHosts() toolHostFactory {
	return func(cfg *config.Config, req orchestrator.AgentRequest) (agent.ToolRegistry, error) {
		var dependencies tools.DependencyGate
		if cfg.DependencyAudit.Enabled() && s.dependencies != nil {
			dependencies = s.dependencies.ForIssue(req.Issue.ID, req.Issue.Identifier)
		}
		host, err := tools.New(tools.Options{
			Issue:                  req.Issue,
			Tracker:                s.tracker,
			Provider:               cfg.Issues.Provider,
			Comments:               s.comments,
			AllowedHosts:           cfg.Workspaces.Attachments.AllowedHosts,
			Workspace:              req.Workspace.Path,
			PublicUploadExtensions: cfg.Workspaces.Attachments.PublicUploadExtensions,
			Scanner:                s.redactor,
			Audit:                  s.audit,
			RunID:                  req.RunID,
			Events:                 req.Events,
			HumanInputState:        cfg.Agent.HumanInput.State,
			Logger:                 s.logger,
			ReadOnly:               req.ReadOnlyTools,
			GitHub:                 githubToolOptions(context.Background(), cfg, req.Issue.RepoKey, req.Workspace.Path, s.store, dependencies, s.logger),
		})
		if err != nil {
			return nil, err
		}
		return host, nil
	}
}
