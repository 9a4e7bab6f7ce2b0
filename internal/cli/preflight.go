package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/doctor"
	"github.com/symphony-go/symphony/internal/github"
	githubtracker "github.com/symphony-go/symphony/internal/tracker/github"
	"github.com/symphony-go/symphony/internal/tracker/gitlab"
	"github.com/symphony-go/symphony/internal/tracker/jira"
	"github.com/symphony-go/symphony/internal/tracker/linear"
)

// preflight runs the doctor's checks before the service opens anything. A failure no retry
// can fix (agent missing, no credentials, unwritable roots, tracker key refused) refuses the
// start with exit 2, printing every line that is not ok. Otherwise it returns those lines for
// the service log: transient failures and warnings do not stop the start, since the poll
// backoff and the disk guard wait them out.
func preflight(ctx context.Context, cmd *cobra.Command, g *Globals, cfg *config.Config) ([]doctor.Result, error) {
	results := doctor.Run(ctx, doctor.Checks(doctorOptions(cfg, g)), doctor.DefaultTimeout)
	var concerns []doctor.Result
	blocking := 0
	for _, r := range results {
		if r.Status == doctor.StatusOK {
			continue
		}
		concerns = append(concerns, r)
		if r.Blocking() {
			blocking++
		}
	}
	if blocking == 0 {
		return concerns, nil
	}
	for _, r := range concerns {
		fmt.Fprintln(cmd.ErrOrStderr(), r.Line())
	}
	return nil, usageErr(fmt.Errorf("refusing to start: %d preflight check(s) failed (`symphony doctor` repeats every check)", blocking))
}

// logConcerns records the preflight results that were not ok but did not stop the start.
func logConcerns(logger *slog.Logger, concerns []doctor.Result) {
	for _, r := range concerns {
		msg := "preflight check warns"
		if r.Status == doctor.StatusFail {
			msg = "preflight check failed; starting anyway, a retry may clear it"
		}
		logger.Warn(msg, "check", r.Check, "detail", r.Detail, "fix", r.Fix)
	}
}

// doctorOptions maps the configuration and the global flags onto the doctor's checks.
func doctorOptions(cfg *config.Config, g *Globals) doctor.Options {
	perms := cfg.Agent.Permissions
	srt := perms.OuterSandbox.Runtime == "srt"
	o := doctor.Options{
		AgentCommand: cfg.Agent.Command,
		Runtime:      cfg.Agent.Runtime,
		// Codex sandboxes commands with bubblewrap on Linux unless it runs them unconfined;
		// srt always needs it there.
		Bwrap:         runtime.GOOS == "linux" && (srt || perms.Filesystem.Sandbox != "danger-full-access"),
		BwrapRequired: srt,
		Tracker:       doctorTracker(cfg),
		WorkspaceRoot: cfg.Workspaces.Root,
		StateRoot:     g.StateRoot(),
		LogsRoot:      g.LogsRoot(),
	}
	if srt {
		o.SRTCommand = perms.OuterSandbox.Command
	}
	if m := cfg.Workspaces.Cleanup.MinFreeBytes; m != nil && *m > 0 {
		o.MinFreeBytes = uint64(*m)
	}
	if len(cfg.Workers.SSHHosts) > 0 {
		o.WorkerHosts, o.HostRun = cfg.Workers.SSHHosts, runOnHost
	}
	return o
}

// doctorTracker describes the configured tracker to the doctor. The local tracker is checked
// by reading its directory, so it is not built here (building fails on a missing directory
// with a less helpful message).
func doctorTracker(cfg *config.Config) doctor.Tracker {
	t := doctor.Tracker{Provider: cfg.Issues.Provider, Dir: cfg.Issues.Local.Dir, Endpoint: cfg.Issues.Linear.Endpoint}
	switch t.Provider {
	case "github":
		return doctorGitHubTracker(cfg, t)
	case "jira":
		return doctorJiraTracker(cfg, t)
	case "gitlab":
		return doctorGitLabTracker(cfg, t)
	}
	if t.Provider != "linear" {
		return t
	}
	tr, err := trackerFromConfig(cfg)
	if err != nil {
		t.Err = err
		return t
	}
	client, ok := tr.(*linear.Client)
	if !ok {
		t.Err = fmt.Errorf("provider linear built a %T, which has no viewer query", tr)
		return t
	}
	t.Verify = func(ctx context.Context) error {
		_, err := client.Viewer(ctx)
		return err
	}
	return t
}

// doctorGitHubTracker verifies the GitHub Issues token by reading the token's own account.
func doctorGitHubTracker(cfg *config.Config, t doctor.Tracker) doctor.Tracker {
	t.Endpoint = "the GitHub API"
	if u := os.Getenv(github.APIURLEnv); u != "" {
		t.Endpoint = u
	}
	t.CredentialFix = "export GH_TOKEN (or GITHUB_TOKEN) with a token that can read and edit the issues of issues.github.repos"
	tr, err := githubtracker.FromConfig(cfg, os.Getenv)
	return verifyViewer(t, tr, err)
}

// doctorJiraTracker verifies the Jira credentials by reading the token's own account.
func doctorJiraTracker(cfg *config.Config, t doctor.Tracker) doctor.Tracker {
	t.Endpoint = cfg.Issues.Jira.BaseURL
	t.CredentialFix = "set issues.jira.email and issues.jira.api_token (or export JIRA_EMAIL and JIRA_API_TOKEN) to a valid Jira Cloud API token"
	tr, err := jira.FromConfig(cfg)
	return verifyViewer(t, tr, err)
}

// doctorGitLabTracker verifies the GitLab token by reading the token's own user.
func doctorGitLabTracker(cfg *config.Config, t doctor.Tracker) doctor.Tracker {
	t.Endpoint = cfg.Issues.GitLab.BaseURL
	t.CredentialFix = "export GITLAB_TOKEN with a token (api scope) of a user who can edit the issues of issues.gitlab.project"
	tr, err := gitlab.FromConfig(cfg, os.Getenv)
	return verifyViewer(t, tr, err)
}

// viewerReader is a tracker that can read the account its token belongs to.
type viewerReader interface {
	ViewerID(ctx context.Context) (string, error)
}

// verifyViewer makes reading the token's own account the tracker's doctor check, or records
// why the tracker could not be built.
func verifyViewer[T viewerReader](t doctor.Tracker, tr T, err error) doctor.Tracker {
	if err != nil {
		t.Err = err
		return t
	}
	t.Verify = func(ctx context.Context) error {
		_, err := tr.ViewerID(ctx)
		return err
	}
	return t
}
