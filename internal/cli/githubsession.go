package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/gitremote"
	"github.com/symphony-go/symphony/internal/tools"
)

// githubCaptureTimeout bounds reading a workspace's origin and branch at session start.
const githubCaptureTimeout = 30 * time.Second

// githubToolOptions gives a session the github_* tools when its workspace's origin is a
// GitHub repository and the operator's token is set; otherwise the session runs without them
// and the log says why. runs records the pull request a session opens on its run.
func githubToolOptions(ctx context.Context, cfg *config.Config, repoKey, workspace string, runs tools.PullRequestRecorder,
	gate tools.DependencyGate, logger *slog.Logger) *tools.GitHubOptions {
	if workspace == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, githubCaptureTimeout)
	defer cancel()
	origin, err := gitremote.Capture(ctx, workspace, cfg.GitHub.EnterpriseHosts, 0)
	var ge *gitremote.Error
	if errors.As(err, &ge) && ge.Code == gitremote.CodeNotGitHub {
		logger.Debug("no GitHub tools: the workspace's origin is not a GitHub repository", "workspace", workspace, "reason", ge.Message)
		return nil
	}
	if err != nil {
		logger.Warn("no GitHub tools: the workspace's origin could not be read", "workspace", workspace, "error", err.Error())
		return nil
	}
	token, err := github.TokenFromEnv(os.Getenv)
	if err != nil {
		logger.Warn("no GitHub tools: the workspace's origin is on GitHub but no token is set", "repository", origin.Repo.FullName(), "error", err.Error())
		return nil
	}
	client, err := github.NewForHost(origin.Repo.Host, cfg.GitHub.EnterpriseHosts, os.Getenv, github.Options{})
	if err != nil {
		logger.Warn("no GitHub tools: no client for the origin's host", "host", origin.Repo.Host, "error", err.Error())
		return nil
	}
	opts := &tools.GitHubOptions{Client: client, Origin: origin, Token: token, Draft: cfg.GitHub.OpenPullRequestsAsDraft,
		FailedLogMaxBytes: cfg.GitHub.FailedRunLogMaxBytes, Dependencies: gate, Runs: runs}
	if repo := cfg.Repo(repoKey); repo != nil {
		opts.BaseBranch = repo.BaseBranch
	}
	return opts
}
