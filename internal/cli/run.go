package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/tracker"
)

func newRunCmd(g *Globals) *cobra.Command {
	var opts orchestrator.RunOptions
	cmd := &cobra.Command{
		Use:   "run ISSUE",
		Short: "Work one issue to completion through the normal worker path, then exit",
		Long: "Runs one issue's whole lifecycle synchronously — workspace, hooks, agent turns,\n" +
			"retries bounded in-process — without the poll loop or any server.\n" +
			"Exit status: 0 success, 1 agent failure after retries, 2 configuration or\n" +
			"validation error (including an unknown or inactive issue), 124 timeout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd, g, func(ctx context.Context, _ *service, deps orchestrator.Deps) error {
				return runOne(ctx, cmd, deps, args[0], opts)
			})
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "bound on the whole lifecycle, retries included (exit 124 when it expires)")
	cmd.Flags().BoolVar(&opts.NoRetry, "no-retry", false, "make the first failure final")
	g.bindServiceFlags(cmd)
	return cmd
}

// runOne works one issue and maps the outcome onto the exit code.
func runOne(ctx context.Context, cmd *cobra.Command, deps orchestrator.Deps, identifier string, opts orchestrator.RunOptions) error {
	res, err := orchestrator.RunOnce(ctx, deps, identifier, opts)
	if err != nil {
		if tracker.CodeOf(err) != "" && !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			return failure(err)
		}
		return usageErr(err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s: %s after %d attempt(s), %d turn(s), %d tokens, %s\n",
		res.Issue.Identifier, res.Outcome, res.Attempts, res.Turns, res.Tokens.Total, server.FormatUSD(res.CostUSD))
	if res.Err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "symphony: last attempt:", res.Err)
	}
	return &ExitError{Code: runExitCode(res.Outcome)}
}

// runExitCode maps a lifecycle's outcome onto `symphony run`'s exit status.
func runExitCode(o orchestrator.Outcome) int {
	switch o {
	case orchestrator.OutcomeSuccess:
		return ExitOK
	case orchestrator.OutcomeTimeout:
		return ExitTimeout
	default:
		return ExitFailure
	}
}
