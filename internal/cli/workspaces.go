package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/workspace"
)

func newWorkspacesCmd(g *Globals) *cobra.Command {
	dryRun := true
	cmd := &cobra.Command{
		Use:   "workspaces",
		Short: "List every workspace with its issue, age, size, owner and what cleanup would do",
		Long: "Lists the workspace directories of every configured repository with the issue they\n" +
			"belong to, how long they have been idle, their size, who owns them and what the\n" +
			"service's workspace cleanup would do with them. Nothing is changed: the running\n" +
			"service applies workspaces.cleanup itself.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !dryRun {
				return usageErr(errors.New("--dry-run=false is not supported: `symphony workspaces` only reports; the running service applies workspaces.cleanup"))
			}
			cfg, err := loadConfig(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelError}))
			m, err := workspace.New(workspaceOptions(cfg, log))
			if err != nil {
				return usageErr(err)
			}
			owners, closeOwners := inventoryOwners(cmd, cfg, g)
			defer closeOwners()
			return writeWorkspaceInventory(cmd.Context(), cmd.OutOrStdout(), m, owners)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", true, "report what cleanup would do without changing anything (the only mode)")
	return cmd
}

// workspaceOptions maps the validated configuration onto the workspace package's options.
func workspaceOptions(cfg *config.Config, log *slog.Logger) workspace.Options {
	c := cfg.Workspaces.Cleanup
	opts := workspace.Options{
		Root:   cfg.Workspaces.Root,
		Logger: log,
		Cleanup: workspace.Cleanup{
			Enabled:      c.Enabled,
			MaxAgeDays:   c.MaxAgeDays,
			Interval:     time.Duration(c.IntervalMs) * time.Millisecond,
			OrphanAction: workspace.OrphanAction(c.OrphanAction),
			TrashDir:     c.TrashDir,
		},
	}
	if c.MinFreeBytes != nil && *c.MinFreeBytes > 0 {
		opts.Cleanup.MinFreeBytes = uint64(*c.MinFreeBytes)
	}
	for _, r := range cfg.Repositories {
		h := r.Settings.Hooks
		opts.Repos = append(opts.Repos, workspace.Repo{
			Key:                 r.Key,
			Strategy:            workspace.Strategy(r.Strategy),
			PrimaryClone:        r.SourceRepo,
			BaseBranch:          r.BaseBranch,
			FetchBeforeDispatch: r.FetchBeforeDispatch,
			Hooks: workspace.Hooks{
				AfterCreate:  h.AfterCreate,
				BeforeRun:    h.BeforeRun,
				AfterRun:     h.AfterRun,
				BeforeRemove: h.BeforeRemove,
				Timeout:      time.Duration(h.TimeoutMs) * time.Millisecond,
			},
		})
	}
	return opts
}

// writeWorkspaceInventory prints the disk guard verdict and one row per workspace directory.
// owners may be nil, in which case every owner is reported unknown and nothing would be removed.
func writeWorkspaceInventory(ctx context.Context, out io.Writer, m *workspace.Manager, owners workspace.Owners) error {
	entries, err := m.Inventory(ctx, owners, nil, true)
	if err != nil {
		return failure(err)
	}
	fmt.Fprintf(out, "workspace root %s: %s\n", m.Root(), diskSummary(m.CheckDisk()))
	if len(entries) == 0 {
		fmt.Fprintln(out, "no workspaces")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPO\tISSUE\tAGE\tSIZE\tOWNER\tCLEANUP\tPATH\tREASON")
	for _, e := range entries {
		issueName := e.Identifier
		if issueName == "" {
			issueName = e.Key
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.RepoKey, issueName, humanAge(e.Age),
			humanBytes(e.SizeBytes), e.Owner, e.Action, e.Path, e.Reason)
	}
	if err := tw.Flush(); err != nil {
		return failure(err)
	}
	if owners == nil {
		fmt.Fprintln(out, "owner state is unknown: the tracker is not queried from this command, so only a running service removes terminal or orphaned workspaces")
	}
	return writeSavedWork(ctx, out, m)
}

// writeSavedWork lists the commits cleanup kept when it removed workspaces, each with the
// command that brings them back.
func writeSavedWork(ctx context.Context, out io.Writer, m *workspace.Manager) error {
	saved, err := m.SavedWork(ctx)
	if len(saved) > 0 {
		fmt.Fprintln(out, "\nsaved work (commits cleanup kept when it removed a workspace):")
		for _, s := range saved {
			fmt.Fprintf(out, "  %s %s: %d commit(s) in %s %s\n    restore: %s\n", s.RepoKey, s.Identifier, s.Commits, s.Kind,
				savedWhere(s), s.Restore)
		}
	}
	if err != nil {
		return failure(fmt.Errorf("listing saved work: %w", err))
	}
	return nil
}

func savedWhere(s workspace.Saved) string {
	if s.Kind == workspace.SavedBranch {
		return s.Branch + " of " + s.Location
	}
	return s.Location
}

func diskSummary(st workspace.DiskStatus) string {
	switch {
	case st.MinFreeBytes == 0:
		return "free-space guard off"
	case st.PauseDispatch:
		return "dispatch would pause: " + st.Reason
	default:
		return fmt.Sprintf("%s free, guard at %s", humanBytes(int64(st.FreeBytes)), humanBytes(int64(st.MinFreeBytes)))
	}
}

func humanAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dm", max(0, int(d.Minutes())))
	}
}

func humanBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	value, exp := float64(n), 0
	for value >= unit && exp < 4 {
		value /= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", value, "KMGT"[exp-1])
}

// inventoryOwners answers ownership from the tracker and, when the state root has one, the run
// store. Without a usable tracker it returns nil: every owner is then reported unknown and
// nothing would be removed.
func inventoryOwners(cmd *cobra.Command, cfg *config.Config, g *Globals) (workspace.Owners, func()) {
	tr, err := trackerFromConfig(cfg)
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: owners unknown:", err)
		return nil, func() {}
	}
	owners := trackerOwners{tracker: tr, cfg: cfg}
	st, err := openStoreForReading(cmd.Context(), g.StateRoot())
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: run store not read:", err)
	}
	if st == nil {
		return owners, func() {}
	}
	return storeAndTrackerOwners{trackerOwners: owners, store: st}, func() { st.Close() }
}
