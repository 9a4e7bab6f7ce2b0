package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/store"
)

var runStatuses = store.Statuses()

func newRunsCmd(g *Globals) *cobra.Command {
	var f store.RunFilter
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List run history from the run store, newest first",
		Long: "runs reads the run store under the state root (the service may be running) and lists\n" +
			"runs newest first: when they started, repository, issue, attempt, status, duration,\n" +
			"tokens, cost in US dollars, the pull request the run opened and error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if status != "" {
				if !knownStatus(status) {
					return usageErr(fmt.Errorf("--status %q is not one of %s", status, statusList()))
				}
				f.Status = store.Status(status)
			}
			if f.Limit < 1 {
				return usageErr(fmt.Errorf("--limit %d must be at least 1", f.Limit))
			}
			st, err := store.Open(cmd.Context(), store.Options{StateRoot: g.StateRoot(), ReadOnly: true})
			if errors.Is(err, store.ErrNoStore) {
				// No service has run with this state root yet: an empty history.
				if asJSON {
					return writeJSONOrFail(cmd.OutOrStdout(), []store.Run{})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "no runs yet under %s\n", g.StateRoot())
				return nil
			}
			if err != nil {
				return failure(err)
			}
			defer st.Close()
			runs, err := st.Runs(cmd.Context(), f)
			if err != nil {
				return failure(err)
			}
			if asJSON {
				if runs == nil {
					runs = []store.Run{}
				}
				return writeJSONOrFail(cmd.OutOrStdout(), runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no runs match")
				return nil
			}
			if err := printRuns(cmd.OutOrStdout(), runs, time.Now()); err != nil {
				return failure(err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Issue, "issue", "", "only runs of this issue (ID or identifier)")
	fl.StringVar(&f.RepoKey, "repo", "", "only runs of this repository key")
	fl.StringVar(&status, "status", "", "only runs with this status ("+statusList()+")")
	fl.IntVar(&f.Limit, "limit", 50, "show at most this many runs")
	fl.BoolVar(&asJSON, "json", false, "print the runs as a JSON array")
	return cmd
}

func knownStatus(s string) bool {
	for _, k := range runStatuses {
		if string(k) == s {
			return true
		}
	}
	return false
}

func statusList() string {
	names := make([]string, len(runStatuses))
	for i, s := range runStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// printRuns writes a table; a running run's duration is measured up to now.
func printRuns(w io.Writer, runs []store.Run, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tREPO\tISSUE\tATTEMPT\tSTATUS\tDURATION\tTOKENS\tCOST\tPR\tERROR")
	for _, r := range runs {
		end := r.EndedAt
		if end.IsZero() {
			end = now
		}
		issue := r.IssueIdentifier
		if issue == "" {
			issue = r.IssueID
		}
		pr := r.PRURL
		if pr == "" {
			pr = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.RepoKey, issue,
			r.Attempt, r.Status, end.Sub(r.StartedAt).Round(time.Second), r.Tokens.Total, server.FormatUSD(r.CostUSD), pr, oneLine(r.Error, 60))
	}
	return tw.Flush()
}

// oneLine keeps a table row on one line: newlines become spaces and long text is cut.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
