package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	githubtracker "github.com/symphony-go/symphony/internal/tracker/github"
	"github.com/symphony-go/symphony/internal/tracker/gitlab"
	"github.com/symphony-go/symphony/internal/tracker/jira"
	"github.com/symphony-go/symphony/internal/tracker/linear"
	"github.com/symphony-go/symphony/internal/tracker/local"
)

// issuesTimeout bounds the whole listing; one Linear request alone may take 30 s.
const issuesTimeout = 2 * time.Minute

func newIssuesCmd(g *Globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
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
			listing, err := pollIssues(ctx, tr, tracker.SettingsFromConfig(cfg))
			if err != nil {
				return failure(err)
			}
			if asJSON {
				return writeJSONOrFail(cmd.OutOrStdout(), listing)
			}
			printIssues(cmd.OutOrStdout(), listing)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the listing as one JSON object")
	return cmd
}

// trackerFromConfig builds the tracker issues.provider names.
func trackerFromConfig(cfg *config.Config) (tracker.Tracker, error) {
	s := tracker.SettingsFromConfig(cfg)
	switch cfg.Issues.Provider {
	case "linear":
		return linear.New(linear.Options{Endpoint: cfg.Issues.Linear.Endpoint, APIKey: cfg.Issues.Linear.APIKey, Settings: s})
	case "github":
		return githubtracker.FromConfig(cfg, os.Getenv)
	case "jira":
		return jira.FromConfig(cfg)
	case "gitlab":
		return gitlab.FromConfig(cfg, os.Getenv)
	case "local":
		if cfg.Issues.Linear.Assignee != "" || cfg.Issues.Linear.Scope.Team != "" || cfg.Issues.Linear.Scope.ProjectSlug != "" {
			return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "issues.linear.* selects Linear issues; the local provider reads issues.local.dir only (labels and routes still apply)")
		}
		return local.New(local.Options{Dir: cfg.Issues.Local.Dir, Settings: s})
	default:
		return nil, tracker.Errorf(tracker.CodeUnsupportedKind, "issues.provider %q cannot be listed: use linear, github, gitlab, jira or local (memory holds issues only inside tests)", cfg.Issues.Provider)
	}
}

// issueListing is what `symphony issues` reports, in text and in JSON alike.
type issueListing struct {
	ActiveStates []string       `json:"active_states"`
	Routes       []routeListing `json:"routes"`
	// Conflicts match several routes and are not dispatched until one route matches.
	Conflicts    []issueRow `json:"conflicts"`
	SkippedFiles []string   `json:"skipped_files"`
}

type routeListing struct {
	Key      string     `json:"key"`
	Selector string     `json:"selector"`
	Default  bool       `json:"default"`
	Issues   []issueRow `json:"issues"`
}

type issueRow struct {
	ID         string       `json:"id"`
	Identifier string       `json:"identifier"`
	State      string       `json:"state"`
	Priority   *int         `json:"priority"`
	Labels     []string     `json:"labels"`
	BlockedBy  []blockerRow `json:"blocked_by"`
	Title      string       `json:"title"`
	Routes     []string     `json:"routes,omitempty"`
}

type blockerRow struct {
	Identifier string `json:"identifier"`
	State      string `json:"state"`
}

// pollIssues polls once and sorts the candidates by route.
func pollIssues(ctx context.Context, tr tracker.Tracker, s tracker.Settings) (issueListing, error) {
	got, err := tr.FetchCandidates(ctx)
	if err != nil {
		return issueListing{}, err
	}
	l := issueListing{ActiveStates: append([]string{}, s.ActiveStates...), Routes: []routeListing{}, Conflicts: []issueRow{}, SkippedFiles: []string{}}
	byRoute := map[string][]issueRow{}
	for _, is := range got.Dispatchable {
		byRoute[is.RepoKey] = append(byRoute[is.RepoKey], rowOf(is))
	}
	for _, r := range s.Routes {
		rows := byRoute[r.Key]
		if rows == nil {
			rows = []issueRow{}
		}
		l.Routes = append(l.Routes, routeListing{Key: r.Key, Selector: s.Effective(r).String(), Default: r.Default, Issues: rows})
	}
	for _, is := range got.Conflicts {
		row := rowOf(is)
		row.Routes = append([]string{}, is.ConflictRepoKeys...)
		l.Conflicts = append(l.Conflicts, row)
	}
	if p, ok := tr.(interface{ Problems() []*local.ParseError }); ok {
		for _, pe := range p.Problems() {
			l.SkippedFiles = append(l.SkippedFiles, pe.Error())
		}
	}
	return l, nil
}

func rowOf(is issue.Issue) issueRow {
	row := issueRow{ID: is.ID, Identifier: is.Identifier, State: is.State, Priority: is.Priority, Title: is.Title,
		Labels: append([]string{}, is.Labels...), BlockedBy: []blockerRow{}}
	for _, b := range is.BlockedBy {
		state := b.State
		if state == "" {
			state = "unknown"
		}
		row.BlockedBy = append(row.BlockedBy, blockerRow{Identifier: b.Identifier, State: state})
	}
	return row
}

// printIssues prints candidates per route, conflicts, and unreadable files.
func printIssues(out io.Writer, l issueListing) {
	fmt.Fprintf(out, "active states: %s\n", strings.Join(l.ActiveStates, ", "))
	for _, r := range l.Routes {
		kind := ""
		if r.Default {
			kind = ", default"
		}
		fmt.Fprintf(out, "\nrepository %s (%s%s): %s\n", r.Key, r.Selector, kind, issueCount(len(r.Issues), "issue"))
		printIssueRows(out, r.Issues)
	}
	if len(l.Conflicts) > 0 {
		fmt.Fprintf(out, "\nconflicts, not dispatched until one route matches: %s\n", issueCount(len(l.Conflicts), "issue"))
		printIssueRows(out, l.Conflicts)
	}
	if len(l.SkippedFiles) > 0 {
		fmt.Fprintf(out, "\nskipped issue files: %d\n", len(l.SkippedFiles))
		for _, f := range l.SkippedFiles {
			fmt.Fprintf(out, "  %s\n", f)
		}
	}
}

func printIssueRows(out io.Writer, rows []issueRow) {
	if len(rows) == 0 {
		return
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		cols := []string{"  " + r.Identifier, r.State, issuePriority(r.Priority), issueList("labels", r.Labels), issueBlockers(r.BlockedBy)}
		if r.Routes != nil {
			cols = append(cols, "routes: "+strings.Join(r.Routes, ", "))
		}
		cols = append(cols, r.Title)
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

func issueBlockers(bs []blockerRow) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		parts = append(parts, b.Identifier+" ("+b.State+")")
	}
	return issueList("blocked by", parts)
}

func issueCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
