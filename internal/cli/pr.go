package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/gitremote"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/server"
)

// Codes `symphony pr` refuses a pull request with, besides the orchestrator's.
const (
	refusedFork   = "pr_fork"
	refusedClosed = "pr_closed"
)

// defaultPRIntent is what a PR run is asked to do when the operator says nothing.
const defaultPRIntent = "make progress on this pull request"

func newPRCmd(g *Globals) *cobra.Command {
	var intent, repoKey string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "pr NUMBER|URL",
		Short: "Run one agent turn on an existing pull request's head branch, then exit",
		Long: "With the config's service running, asks it to run the pull request in one of its agent\n" +
			"slots and returns once the run has started (follow it with `symphony status`); refused\n" +
			"there as well with no_free_slot or dispatch_blocked. Without a running service:\n" +
			"works one turn on a pull request of the repository's GitHub origin, in a worktree on the\n" +
			"PR's head branch (local-only work found there is kept under refs/symphony/orphaned/<sha>\n" +
			"first), with the prompts.pr template; the run is recorded and never retried.\n" +
			"Refused (exit 1, the code first in the message): pr_fork (a pull request from another\n" +
			"repository), pr_closed, paused (dispatch is paused), already_running.\n" +
			"Exit status: 0 success, 1 refusal or agent failure, 2 usage or configuration error,\n" +
			"124 timeout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asked, err := askServiceForPR(cmd, g, args[0], repoKey, intent); asked {
				return err
			}
			return withService(cmd, g, func(ctx context.Context, s *service, deps orchestrator.Deps) error {
				return runPR(ctx, cmd, s.configs.Current(), deps, args[0], repoKey, intent, timeout)
			})
		},
	}
	cmd.Flags().StringVar(&intent, "intent", "", "what the agent should do on the pull request (default: \""+defaultPRIntent+"\")")
	cmd.Flags().StringVar(&repoKey, "repo", "", "repository key whose origin the pull request belongs to (default: the primary repository)")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "bound on the run (exit 124 when it expires)")
	return cmd
}

// runPR resolves the pull request on GitHub, refuses forks and closed ones, and runs its turn
// in this process.
func runPR(ctx context.Context, cmd *cobra.Command, cfg *config.Config, deps orchestrator.Deps, target, repoKey, intent string, timeout time.Duration) error {
	key, pr, err := resolvePR(ctx, cfg, target, repoKey, intent)
	var invalid *server.InvalidRequestError
	switch {
	case errors.As(err, &invalid):
		return usageErr(invalid.Err)
	case err != nil:
		return failure(err)
	}
	res, err := orchestrator.RunPR(ctx, deps, key, pr, timeout)
	if err != nil {
		return failure(err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s after %d turn(s), %d tokens\n", res.Issue.Identifier, res.Outcome, res.Turns, res.Tokens.Total)
	if res.Err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "symphony: the run:", res.Err)
	}
	return &ExitError{Code: runExitCode(res.Outcome)}
}

// resolvePR reads the pull request target names from the origin of the repository repoKey
// (the primary one when empty). It is what `symphony pr` runs and what the service's
// dispatch_pr route looks requests up with: a request that cannot name a pull request of the
// configuration is an *server.InvalidRequestError, a fork or closed pull request an
// *orchestrator.Refusal.
func resolvePR(ctx context.Context, cfg *config.Config, target, repoKey, intent string) (string, prompt.PullRequest, error) {
	invalid := func(err error) (string, prompt.PullRequest, error) {
		return "", prompt.PullRequest{}, &server.InvalidRequestError{Err: err}
	}
	repoCfg := cfg.Primary()
	if repoKey != "" {
		repoCfg = cfg.Repo(repoKey)
	}
	if repoCfg == nil {
		return invalid(fmt.Errorf("--repo %q is not a repository key in %s", repoKey, cfg.Path))
	}
	if repoCfg.SourceRepo == "" {
		return invalid(fmt.Errorf("repository %s has no workspace.repo; a pull-request run needs the clone whose origin holds the pull request", repoCfg.Key))
	}
	origin, err := gitremote.RepoOf(ctx, repoCfg.SourceRepo, cfg.GitHub.EnterpriseHosts)
	if err != nil {
		return invalid(err)
	}
	number, err := prNumber(target, origin)
	if err != nil {
		return invalid(err)
	}
	client, err := github.NewForHost(origin.Host, cfg.GitHub.EnterpriseHosts, os.Getenv, github.Options{})
	if err != nil {
		return invalid(err)
	}
	pr, err := client.PullRequest(ctx, origin, number)
	if err != nil {
		return "", prompt.PullRequest{}, err
	}
	switch {
	case pr.CrossRepository():
		return "", prompt.PullRequest{}, &orchestrator.Refusal{Code: refusedFork, Message: fmt.Sprintf("%s comes from %s, not %s; pull requests from forks are not run", pr.URL, pr.HeadRepo, origin.FullName())}
	case pr.State != github.PullRequestOpen:
		return "", prompt.PullRequest{}, &orchestrator.Refusal{Code: refusedClosed, Message: fmt.Sprintf("%s is %s", pr.URL, pr.State)}
	}
	if strings.TrimSpace(intent) == "" {
		intent = defaultPRIntent
	}
	return repoCfg.Key, prompt.PullRequest{Number: pr.Number, URL: pr.URL, Title: pr.Title,
		Body: pr.Body, State: pr.State, BaseRef: pr.BaseRef, HeadRef: pr.HeadRef, Intent: intent}, nil
}

// prNumber reads a pull request number, or a pull request URL of the origin repository.
func prNumber(target string, origin github.Repo) (int, error) {
	target = strings.TrimSpace(target)
	if n, err := strconv.Atoi(strings.TrimPrefix(target, "#")); err == nil {
		if n < 1 {
			return 0, fmt.Errorf("pull request number %d must be positive", n)
		}
		return n, nil
	}
	repoURL, number, ok := strings.Cut(strings.TrimRight(target, "/"), "/pull/")
	n, err := strconv.Atoi(number)
	if !ok || err != nil || n < 1 {
		return 0, fmt.Errorf("%q is neither a pull request number nor a pull request URL (https://%s/%s/pull/N)", target, origin.Host, origin.FullName())
	}
	repo, err := github.ParseRemote(repoURL)
	if err != nil || !strings.EqualFold(repo.Host, origin.Host) || !strings.EqualFold(repo.FullName(), origin.FullName()) {
		return 0, fmt.Errorf("%s is not a pull request of %s/%s, the repository's origin", target, origin.Host, origin.FullName())
	}
	return n, nil
}

// askServiceForPR hands the pull request to the config's running service when one answers,
// and reports whether it did; without a service the caller runs the pull request itself.
func askServiceForPR(cmd *cobra.Command, g *Globals, target, repoKey, intent string) (bool, error) {
	c, err := server.Dial(g.StateRoot())
	if err != nil {
		return false, nil
	}
	req := server.DispatchPRRequest{Intent: intent, Repo: repoKey}
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(target), "#")); err == nil {
		req.Number = n
	} else {
		req.URL = target
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), controlTimeout)
	defer cancel()
	var resp server.DispatchPRResponse
	err = c.Post(ctx, "/api/v1/control/dispatch_pr", req, &resp)
	var apiErr *server.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == "invalid_request":
		return true, usageErr(errors.New(apiErr.Message))
	case errors.As(err, &apiErr):
		return true, failure(fmt.Errorf("%s: %s (the service at %s refused)", apiErr.Code, apiErr.Message, c.Via))
	case errors.Is(err, server.ErrUnreachable):
		// A control URL left behind by a service that is gone: nobody holds the state root.
		return false, nil
	case err != nil:
		return true, failure(err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: dispatched to the running service at %s; follow it with `symphony status`\n", resp.IssueIdentifier, c.Via)
	return true, nil
}
