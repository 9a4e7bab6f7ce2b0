package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear"
	"github.com/symphony-go/symphony/internal/tracker/local"
)

// issuesTimeout bounds the whole listing; one Linear request alone may take 30 s.
const issuesTimeout = 2 * time.Minute

func newIssuesCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "issues",
		Short: "List the issues the configured tracker returns, per repository route",
		Long: "issues polls the configured tracker once, exactly as the service would, and lists\n" +
			"the candidates each repository route receives (state, priority, labels, blockers),\n" +
			"the issues that match several routes and are therefore not dispatched, and any local\n" +
			"issue files that could not be read. It changes nothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			tr, err := trackerFromConfig(cfg)
			if err != nil {
				return usageErr(err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), issuesTimeout)
			defer cancel()
			return listIssues(ctx, cmd.OutOrStdout(), tr, tracker.SettingsFromConfig(cfg))
		},
	}
}

// trackerFromConfig builds the tracker issues.provider names.
func trackerFromConfig(cfg *config.Config) (tracker.Tracker, error) {
	s := tracker.SettingsFromConfig(cfg)
	switch cfg.Issues.Provider {
	case "linear":
		return linear.New(linear.Options{Endpoint: cfg.Issues.Linear.Endpoint, APIKey: cfg.Issues.Linear.APIKey, Settings: s})
	case "local":
		if cfg.Issues.Linear.Assignee != "" || cfg.Issues.Linear.Scope.Team != "" || cfg.Issues.Linear.Scope.ProjectSlug != "" {
			return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "issues.linear.* selects Linear issues; the local provider reads issues.local.dir only (labels and routes still apply)")
		}
		return local.New(local.Options{Dir: cfg.Issues.Local.Dir, Settings: s})
	default:
		return nil, tracker.Errorf(tracker.CodeUnsupportedKind, "issues.provider %q cannot be listed: use linear or local (memory holds issues only inside tests)", cfg.Issues.Provider)
	}
}

// listIssues polls once and prints candidates per route, conflicts, and unreadable files.
func listIssues(ctx context.Context, out io.Writer, tr tracker.Tracker, s tracker.Settings) error {
	got, err := tr.FetchCandidates(ctx)
	if err != nil {
		return failure(err)
	}
	byRoute := map[string][]issue.Issue{}
	for _, is := range got.Dispatchable {
		byRoute[is.RepoKey] = append(byRoute[is.RepoKey], is)
	}
	fmt.Fprintf(out, "active states: %s\n", strings.Join(s.ActiveStates, ", "))
	for _, r := range s.Routes {
		issues := byRoute[r.Key]
		kind := ""
		if r.Default {
			kind = ", default"
		}
		fmt.Fprintf(out, "\nrepository %s (%s%s): %s\n", r.Key, s.Effective(r), kind, issueCount(len(issues), "issue"))
		printIssueRows(out, issues, nil)
	}
	if len(got.Conflicts) > 0 {
		fmt.Fprintf(out, "\nconflicts, not dispatched until one route matches: %s\n", issueCount(len(got.Conflicts), "issue"))
		printIssueRows(out, got.Conflicts, func(is issue.Issue) string { return "routes: " + strings.Join(is.ConflictRepoKeys, ", ") })
	}
	if p, ok := tr.(interface{ Problems() []*local.ParseError }); ok {
		if problems := p.Problems(); len(problems) > 0 {
			fmt.Fprintf(out, "\nskipped issue files: %d\n", len(problems))
			for _, pe := range problems {
				fmt.Fprintf(out, "  %s\n", pe)
			}
		}
	}
	return nil
}

func printIssueRows(out io.Writer, issues []issue.Issue, extra func(issue.Issue) string) {
	if len(issues) == 0 {
		return
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, is := range issues {
		cols := []string{"  " + is.Identifier, is.State, issuePriority(is.Priority), issueList("labels", is.Labels), issueBlockers(is.BlockedBy)}
		if extra != nil {
			cols = append(cols, extra(is))
		}
		cols = append(cols, is.Title)
		fmt.Fprintln(w, strings.Join(cols, "\t"))
	}
	w.Flush()
}

func issuePriority(p *int) string {
	if p == nil {
		return "P-"
	}
	return "P" + strconv.Itoa(*p)
}

func issueList(name string, values []string) string {
	if len(values) == 0 {
		return name + ": -"
	}
	return name + ": " + strings.Join(values, ",")
}

func issueBlockers(bs []issue.Blocker) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		state := b.State
		if state == "" {
			state = "unknown"
		}
		parts = append(parts, b.Identifier+" ("+state+")")
	}
	return issueList("blocked by", parts)
}

func issueCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
