package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/store"
)

func newLearningsCmd(g *Globals) *cobra.Command {
	var repo string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "learnings",
		Short: "List the repository rules learned from merged pull requests, newest first",
		Long: "learnings reads the run store under the state root (the service may be running) and lists\n" +
			"the rules pull_requests.learnings distilled from reviews of merged pull requests: repository,\n" +
			"rule, tags, the pull request and the reviewer's words it rests on.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return usageErr(fmt.Errorf("--limit %d must be at least 1", limit))
			}
			st, err := store.Open(cmd.Context(), store.Options{StateRoot: g.StateRoot(), ReadOnly: true})
			if errors.Is(err, store.ErrNoStore) {
				if asJSON {
					return writeJSONOrFail(cmd.OutOrStdout(), []store.Learning{})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "no learnings yet under %s\n", g.StateRoot())
				return nil
			}
			if err != nil {
				return failure(err)
			}
			defer st.Close()
			ls, err := st.Learnings(cmd.Context(), repo, limit)
			if err != nil {
				return failure(err)
			}
			if asJSON {
				if ls == nil {
					ls = []store.Learning{}
				}
				return writeJSONOrFail(cmd.OutOrStdout(), ls)
			}
			if len(ls) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no learnings match")
				return nil
			}
			if err := printLearnings(cmd.OutOrStdout(), ls); err != nil {
				return failure(err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&repo, "repo", "", "only learnings of this repository key")
	fl.IntVar(&limit, "limit", 100, "show at most this many learnings")
	fl.BoolVar(&asJSON, "json", false, "print the learnings as a JSON array")
	return cmd
}

func printLearnings(w io.Writer, ls []store.Learning) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPO\tRULE\tTAGS\tPR\tEVIDENCE")
	for _, l := range ls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%q\n", l.RepoKey, oneLine(l.Rule, 200), strings.Join(l.Tags, ","), l.PRURL, oneLine(l.EvidenceQuote, 120))
	}
	return tw.Flush()
}
