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
	"github.com/symphony-go/symphony/internal/doctor"
	"github.com/symphony-go/symphony/internal/workspace"
)

func newWorkspacesCmd(g *Globals) *cobra.Command {
	dryRun := true
	var asJSON bool
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
			inv, err := takeInventory(cmd.Context(), m, owners)
			if err != nil {
				return failure(err)
			}
			if asJSON {
				return writeJSONOrFail(cmd.OutOrStdout(), inv)
			}
			return printInventory(cmd.OutOrStdout(), inv)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", true, "report what cleanup would do without changing anything (the only mode)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inventory as one JSON object")
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

// workspaceInventory is what `symphony workspaces` reports, in text and in JSON alike.
type workspaceInventory struct {
	Root string `json:"root"`
	// Disk is the free-space guard's verdict in words.
	Disk          string           `json:"disk"`
	PauseDispatch bool             `json:"pause_dispatch"`
	Workspaces    []workspaceEntry `json:"workspaces"`
	// OwnersKnown is false when the tracker could not be asked: every owner is then unknown
	// and nothing would be removed.
	OwnersKnown bool `json:"owners_known"`
	// SavedWork is what cleanup kept when it removed workspaces with commits found nowhere else.
	SavedWork []workspace.Saved `json:"saved_work"`
}

type workspaceEntry struct {
	RepoKey string `json:"repo"`
	// Issue is the owning issue's identifier, else the directory's workspace key.
	Issue      string `json:"issue"`
	AgeSeconds int64  `json:"age_seconds"`
	// SizeBytes is -1 when not measured.
	SizeBytes int64  `json:"size_bytes"`
	Owner     string `json:"owner"`
	Cleanup   string `json:"cleanup"`
	Path      string `json:"path"`
	Reason    string `json:"reason"`
}

// takeInventory measures the disk guard and lists every workspace directory. owners may be
// nil, in which case every owner is reported unknown and nothing would be removed.
func takeInventory(ctx context.Context, m *workspace.Manager, owners workspace.Owners) (workspaceInventory, error) {
	entries, err := m.Inventory(ctx, owners, nil, true)
	if err != nil {
		return workspaceInventory{}, err
	}
	disk := m.CheckDisk()
	inv := workspaceInventory{Root: m.Root(), Disk: diskSummary(disk), PauseDispatch: disk.PauseDispatch,
		Workspaces: []workspaceEntry{}, OwnersKnown: owners != nil, SavedWork: []workspace.Saved{}}
	for _, e := range entries {
		name := e.Identifier
		if name == "" {
			name = e.Key
		}
		inv.Workspaces = append(inv.Workspaces, workspaceEntry{RepoKey: e.RepoKey, Issue: name, AgeSeconds: int64(e.Age / time.Second),
			SizeBytes: e.SizeBytes, Owner: string(e.Owner), Cleanup: string(e.Action), Path: e.Path, Reason: e.Reason})
	}
	saved, err := m.SavedWork(ctx)
	if err != nil {
		return inv, fmt.Errorf("listing saved work: %w", err)
	}
	inv.SavedWork = append(inv.SavedWork, saved...)
	return inv, nil
}

// printInventory prints the disk guard verdict, one row per workspace directory, and the work
// cleanup saved.
func printInventory(out io.Writer, inv workspaceInventory) error {
	fmt.Fprintf(out, "workspace root %s: %s\n", inv.Root, inv.Disk)
	if len(inv.Workspaces) == 0 {
		fmt.Fprintln(out, "no workspaces")
	} else {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REPO\tISSUE\tAGE\tSIZE\tOWNER\tCLEANUP\tPATH\tREASON")
		for _, e := range inv.Workspaces {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.RepoKey, e.Issue, humanAge(time.Duration(e.AgeSeconds)*time.Second),
				humanBytes(e.SizeBytes), e.Owner, e.Cleanup, e.Path, e.Reason)
		}
		if err := tw.Flush(); err != nil {
			return failure(err)
		}
		if !inv.OwnersKnown {
			fmt.Fprintln(out, "owner state is unknown: the tracker is not queried from this command, so only a running service removes terminal or orphaned workspaces")
		}
	}
	if len(inv.SavedWork) > 0 {
		fmt.Fprintln(out, "\nsaved work (commits cleanup kept when it removed a workspace):")
		for _, s := range inv.SavedWork {
			fmt.Fprintf(out, "  %s %s: %d commit(s) in %s %s\n    restore: %s\n", s.RepoKey, s.Identifier, s.Commits, s.Kind,
				savedWhere(s), s.Restore)
		}
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

// humanBytes formats a size, or "-" for one not measured.
func humanBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	return doctor.HumanBytes(uint64(n))
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
