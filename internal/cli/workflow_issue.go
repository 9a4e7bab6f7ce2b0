package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/tracker"
)

// runIssuePreview renders the first-turn prompt for a real issue: fetched from the configured
// tracker, routed to its repository, and rendered with that repository's WORKFLOW.md.
func runIssuePreview(cmd *cobra.Command, g *Globals, f previewFlags) error {
	switch {
	case f.pr:
		return usageErr(errors.New("--issue renders an issue's prompt; --pr cannot be combined with it"))
	case cmd.Flags().Changed("file"):
		return usageErr(errors.New("--issue renders the WORKFLOW.md of the repository the issue routes to; leave --file out"))
	}
	cfg, err := loadConfig(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	kind := cfg.Agent.Runtime
	if f.agent != "" {
		kind = f.agent
	}
	agent, err := prompt.AgentFor(kind)
	if err != nil {
		return usageErr(fmt.Errorf("--agent: %w", err))
	}
	tr, err := trackerFromConfig(cfg)
	if err != nil {
		return usageErr(err)
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), issuesTimeout)
	defer cancel()
	iss, err := tr.FetchIssueByIdentifier(ctx, f.issue)
	switch {
	case tracker.IsCode(err, tracker.CodeIssueNotFound):
		return usageErr(err)
	case err != nil:
		return failure(err)
	}
	if iss, err = routeForPreview(ctx, cmd, tr, iss, cfg.Repositories); err != nil {
		return err
	}
	tpl, ok := orchestrator.TemplatesFromConfig(cfg)[iss.RepoKey]
	if !ok {
		return usageErr(fmt.Errorf("%s routes to repository %q, which has no WORKFLOW.md loaded", iss.Identifier, iss.RepoKey))
	}
	req := prompt.Request{Mode: prompt.ModeIssue, Template: tpl, Agent: agent, Issue: iss, RepoKey: iss.RepoKey,
		Workspace: filepath.Dir(tpl.Path)}
	return writeFirstTurn(cmd, promptOptions(cfg), req)
}

// routeForPreview finds the repository the issue routes to, the way a run does: among the
// tracker's current candidates. An issue that is not a candidate (not in an active state) is
// rendered for the only repository when there is just one.
func routeForPreview(ctx context.Context, cmd *cobra.Command, tr tracker.Tracker, iss issue.Issue, repos []config.Repository) (issue.Issue, error) {
	cands, err := tr.FetchCandidates(ctx)
	if err != nil {
		return iss, failure(fmt.Errorf("fetching candidates to route %s: %w", iss.Identifier, err))
	}
	for _, c := range cands.Conflicts {
		if c.ID == iss.ID {
			return iss, usageErr(fmt.Errorf("%s matches several repository routes (%s), so no run would start until one matches", iss.Identifier, strings.Join(c.ConflictRepoKeys, ", ")))
		}
	}
	for _, c := range cands.Dispatchable {
		if c.ID == iss.ID {
			return c, nil
		}
	}
	if len(repos) == 1 {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: %s (state %q) is not a dispatch candidate now; rendering it for the only repository, %s\n", iss.Identifier, iss.State, repos[0].Key)
		iss.RepoKey = repos[0].Key
		return iss, nil
	}
	return iss, usageErr(fmt.Errorf("%s (state %q) is not selected by any repository route; only issues in the active states are routed", iss.Identifier, iss.State))
}
