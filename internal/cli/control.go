package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/server"
)

// controlTimeout bounds one control command's conversation with the service.
const controlTimeout = 30 * time.Second

// dialService finds the running service of the config in use; not finding one is a runtime
// failure (exit 1) that says how to start it.
func dialService(g *Globals) (*server.Client, error) {
	c, err := server.Dial(g.StateRoot())
	if err != nil {
		return nil, failure(fmt.Errorf("cannot reach the service for %s (state root %s): %w; %s", g.ConfigPath, g.StateRoot(), err, startHint(g)))
	}
	return c, nil
}

// controlErr turns a failed API call into the exit-1 message that says whether the service
// was unreachable or refused.
func controlErr(g *Globals, c *server.Client, err error) error {
	var apiErr *server.APIError
	if errors.As(err, &apiErr) {
		return failure(fmt.Errorf("the service at %s refused: %s (%s)", c.Via, apiErr.Message, apiErr.Code))
	}
	if errors.Is(err, server.ErrUnreachable) {
		return failure(fmt.Errorf("cannot reach the service for %s: %w; %s", g.ConfigPath, err, startHint(g)))
	}
	return failure(err)
}

// postControl sends one control request and decodes its answer.
func postControl(cmd *cobra.Command, g *Globals, path string, body, out any) error {
	c, err := dialService(g)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), controlTimeout)
	defer cancel()
	if err := c.Post(ctx, path, body, out); err != nil {
		return controlErr(g, c, err)
	}
	return nil
}

func newPauseCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "pause [REASON]",
		Short: "Hold new dispatch in the running service (running agents continue); kept across restarts",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req server.PauseRequest
			if len(args) == 1 {
				req.Reason = args[0]
			}
			var p server.PauseJSON
			if err := postControl(cmd, g, "/api/v1/control/pause", req, &p); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dispatch paused: %s\n", p.Reason)
			return nil
		},
	}
}

func newResumeCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "resume",
		Short: "Lift an operator pause in the running service",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := postControl(cmd, g, "/api/v1/control/resume", nil, nil); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "dispatch resumed")
			return nil
		},
	}
}

func newStopCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "stop ISSUE",
		Short: "End an issue's session, keep its workspace, and hold it until it leaves its active states",
		Args:  exactIssueArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := postControl(cmd, g, "/api/v1/control/stop", server.IssueRequest{IssueIdentifier: args[0]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s stopped; its workspace is kept and it stays held until `symphony unstop %s`\n", args[0], args[0])
			return nil
		},
	}
}

func newUnstopCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "unstop ISSUE",
		Short: "Release an issue held by stop (or a budget), so it is dispatched again",
		Args:  exactIssueArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := postControl(cmd, g, "/api/v1/control/unstop", server.IssueRequest{IssueIdentifier: args[0]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s released\n", args[0])
			return nil
		},
	}
}

func newRefreshCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "refresh",
		Short: "Ask the running service to poll the tracker and reconcile now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := postControl(cmd, g, "/api/v1/control/refresh", nil, nil); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "refresh queued")
			return nil
		},
	}
}

// exactIssueArg requires one non-blank issue identifier.
func exactIssueArg(_ *cobra.Command, args []string) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return usageErr(errors.New("name exactly one issue, for example ENG-123"))
	}
	return nil
}
