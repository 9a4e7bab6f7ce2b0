package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/tui"
)

// statusWatchInterval is how often `status --watch` prints the view.
const statusWatchInterval = 2 * time.Second

func newStatusCmd(g *Globals) *cobra.Command {
	var asJSON, watch bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the running service is doing: dispatch state, running issues, retries, held and watched issues",
		Long: "status asks the running service for the config in use (through the control socket in its\n" +
			"state root, else its control_url) and prints a compact view; --json prints the API's state\n" +
			"document (GET /api/v1/state) as it is; --watch prints the view every 2 seconds until interrupted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && watch {
				return usageErr(fmt.Errorf("--json and --watch do not combine; poll GET /api/v1/events for a live JSON feed"))
			}
			c, err := dialService(g)
			if err != nil {
				return err
			}
			if asJSON {
				var raw json.RawMessage
				if err := getState(cmd.Context(), c, &raw); err != nil {
					return controlErr(g, c, err)
				}
				_, err := cmd.OutOrStdout().Write(append(raw, '\n'))
				return err
			}
			if !watch {
				return printStatusView(cmd.Context(), g, c, cmd.OutOrStdout())
			}
			if out, ok := terminalOut(cmd); ok {
				return watchLive(cmd, g, out)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			tick := time.NewTicker(statusWatchInterval)
			defer tick.Stop()
			for {
				if err := printStatusView(ctx, g, c, cmd.OutOrStdout()); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return nil
				case <-tick.C:
					fmt.Fprintln(cmd.OutOrStdout())
				}
			}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's state document")
	cmd.Flags().BoolVar(&watch, "watch", false, "keep showing the view: live on a terminal, else reprinted every 2 seconds")
	return cmd
}

func getState(ctx context.Context, c *server.Client, out any) error {
	ctx, cancel := context.WithTimeout(ctx, controlTimeout)
	defer cancel()
	return c.Get(ctx, "/api/v1/state", out)
}

func printStatusView(ctx context.Context, g *Globals, c *server.Client, w io.Writer) error {
	var st server.State
	if err := getState(ctx, c, &st); err != nil {
		return controlErr(g, c, err)
	}
	renderStatus(w, st)
	return nil
}

// renderStatus writes the compact status view; ages and due times are relative to the
// state's own time, so the view reads the same however late it is printed.
func renderStatus(w io.Writer, st server.State) {
	now := st.GeneratedAt
	dispatch := "active"
	if !st.DispatchState.Active {
		reasons := make([]string, 0, len(st.DispatchState.Blockers))
		for _, b := range st.DispatchState.Blockers {
			reasons = append(reasons, b.Message)
		}
		dispatch = "held: " + strings.Join(reasons, "; ")
	}
	fmt.Fprintf(w, "Dispatch: %s\n", dispatch)
	fmt.Fprintf(w, "Agents: %d/%d   Tokens: %s total, %s today", st.Counts.Running, st.MaxAgents,
		tui.Thousands(st.Totals.TotalTokens), tui.Thousands(st.Budget.DailyUsed))
	if st.Budget.DailyLimit > 0 {
		fmt.Fprintf(w, " of %s", tui.Thousands(st.Budget.DailyLimit))
	}
	fmt.Fprintf(w, "   Cost: %s total, %s today", server.FormatUSD(st.Totals.CostUSD), server.FormatUSD(st.Totals.CostUSDToday))
	if st.Budget.DailyDollarLimit > 0 {
		fmt.Fprintf(w, " of %s", server.FormatUSD(st.Budget.DailyDollarLimit))
	}
	fmt.Fprintln(w)
	if st.LastPollError != "" {
		fmt.Fprintf(w, "Last poll failed: %s\n", st.LastPollError)
	}
	section := func(title string, n int, rows func(tw *tabwriter.Writer)) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d)\n", title, n)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		rows(tw)
		tw.Flush()
	}
	section("Running", len(st.Running), func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "  ISSUE\tSTAGE\tTURN\tAGE\tTOKENS\tCOST\tLAST EVENT")
		for _, r := range st.Running {
			last := r.LastEvent
			if r.LastMessage != "" {
				last += ": " + oneLine(r.LastMessage, 60)
			}
			issue := r.IssueIdentifier
			if r.WorkerHost != "" {
				issue += " on " + r.WorkerHost
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", issue, r.State, r.TurnCount, age(now.Sub(r.StartedAt)),
				tui.Thousands(r.Tokens.TotalTokens), server.FormatUSD(r.CostUSD), last)
		}
	})
	section("Queued", len(st.Queued), func(tw *tabwriter.Writer) {
		for _, q := range st.Queued {
			wait := ""
			if q.WaitReason != "" {
				wait = "\twaiting: " + q.WaitReason
			}
			fmt.Fprintf(tw, "  %s\t%s\tattempt %d%s\n", q.IssueIdentifier, q.State, q.Attempt, wait)
		}
	})
	section("Worker hosts", len(st.WorkerHosts), func(tw *tabwriter.Writer) {
		for _, h := range st.WorkerHosts {
			load := fmt.Sprintf("%d running", h.Running)
			if h.Capacity > 0 {
				load = fmt.Sprintf("%d/%d running", h.Running, h.Capacity)
			}
			health := "healthy"
			if !h.Healthy {
				health = "UNHEALTHY"
				if h.DownSince != nil {
					health += " for " + age(now.Sub(*h.DownSince))
				}
				if h.NextProbeAt != nil {
					health += ", next probe in " + age(h.NextProbeAt.Sub(now))
				}
				if h.LastError != "" {
					health += ": " + oneLine(h.LastError, 80)
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", h.Host, load, health)
		}
	})
	section("Retry queue", len(st.Retrying), func(tw *tabwriter.Writer) {
		for _, r := range st.Retrying {
			what := "error: " + oneLine(r.Error, 80)
			if r.Continuation {
				what = "continuation"
			}
			fmt.Fprintf(tw, "  %s\tattempt %d\tdue in %s\t%s\n", r.IssueIdentifier, r.Attempt, age(r.DueAt.Sub(now)), what)
		}
	})
	section("Held", len(st.Held), func(tw *tabwriter.Writer) {
		for _, h := range st.Held {
			fmt.Fprintf(tw, "  %s\t%s\n", h.IssueIdentifier, oneLine(h.Reason, 100))
		}
	})
	section("Awaiting input", len(st.AwaitingInput), func(tw *tabwriter.Writer) {
		for _, a := range st.AwaitingInput {
			fmt.Fprintf(tw, "  %s\tasked %s ago\t%s\n", a.IssueIdentifier, age(now.Sub(a.AskedAt)), oneLine(a.Question, 100))
		}
	})
	section("Awaiting clarification (issue gate)", len(st.AwaitingClarification), func(tw *tabwriter.Writer) {
		for _, g := range st.AwaitingClarification {
			fmt.Fprintf(tw, "  %s\tscore %d\tasked %d time(s)\t%s\n", g.IssueIdentifier, g.Score, g.RoundsAsked, oneLine(g.Reason, 80))
		}
	})
	section("Skipped (issue gate)", len(st.Skipped), func(tw *tabwriter.Writer) {
		for _, g := range st.Skipped {
			why := fmt.Sprintf("score %d", g.Score)
			if g.Kind == orchestrator.GateError {
				why = "scoring failed"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", g.IssueIdentifier, why, oneLine(g.Reason, 80))
		}
	})
	section("Watching", len(st.Watching), func(tw *tabwriter.Writer) {
		for _, x := range st.Watching {
			fmt.Fprintf(tw, "  %s\t%s\tlast ran %s ago\t%s\n", x.IssueIdentifier, x.State, age(now.Sub(x.LastRanAt)), x.URL)
		}
	})
	if st.PullRequestsError != "" {
		fmt.Fprintf(w, "Pull requests: unreadable: %s\n", st.PullRequestsError)
	}
	section("Pull requests", len(st.PullRequests), func(tw *tabwriter.Writer) {
		for _, p := range st.PullRequests {
			last := "-"
			if p.LastAction != "" {
				last = p.LastAction + " " + age(now.Sub(p.LastActionAt)) + " ago"
			}
			phase := p.Phase
			if p.Degraded {
				phase += " (degraded)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", p.Identifier, p.Poller, phase, last, p.PRURL, oneLine(p.Error, 80))
		}
	})
	section("Conflicts", len(st.Conflicts), func(tw *tabwriter.Writer) {
		for _, c := range st.Conflicts {
			fmt.Fprintf(tw, "  %s\tmatched by %s\n", c.IssueIdentifier, strings.Join(c.RepoKeys, ", "))
		}
	})
}

// age prints a duration to the second, never negative.
func age(d time.Duration) string {
	return max(d, 0).Round(time.Second).String()
}
