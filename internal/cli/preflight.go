package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/doctor"
	"github.com/symphony-go/symphony/internal/tracker/linear"
)

// preflight runs the doctor's checks before the service opens anything. A failure no retry
// can fix (agent missing, no credentials, unwritable roots, tracker key refused) refuses the
// start with exit 2 and the failing lines; transient failures and warnings are printed and
// the service starts, since its poll backoff and disk guard wait them out.
func preflight(ctx context.Context, cmd *cobra.Command, g *Globals, cfg *config.Config) error {
	results := doctor.Run(ctx, doctor.Checks(doctorOptions(cfg, g)), doctor.DefaultTimeout)
	stderr := cmd.ErrOrStderr()
	blocking, transient := 0, 0
	for _, r := range results {
		if r.Status == doctor.StatusOK {
			continue
		}
		fmt.Fprintln(stderr, r.Line())
		switch {
		case r.Blocking():
			blocking++
		case r.Status == doctor.StatusFail:
			transient++
		}
	}
	if blocking > 0 {
		return usageErr(fmt.Errorf("refusing to start: %d preflight check(s) failed (`symphony doctor` repeats every check)", blocking))
	}
	if transient > 0 {
		fmt.Fprintf(stderr, "starting despite %d transient preflight failure(s); the service retries them\n", transient)
	}
	return nil
}

// doctorOptions maps the configuration and the global flags onto the doctor's checks.
func doctorOptions(cfg *config.Config, g *Globals) doctor.Options {
	perms := cfg.Agent.Permissions
	srt := perms.OuterSandbox.Runtime == "srt"
	o := doctor.Options{
		AgentCommand: cfg.Agent.Command,
		// Codex sandboxes commands with bubblewrap on Linux unless it runs them unconfined;
		// srt always needs it there.
		Bwrap:         runtime.GOOS == "linux" && (srt || perms.Filesystem.Sandbox != "danger-full-access"),
		BwrapRequired: srt,
		Tracker:       doctorTracker(cfg),
		WorkspaceRoot: cfg.Workspaces.Root,
		StateRoot:     g.StateRoot(),
		LogsRoot:      g.LogsRoot(),
	}
	if srt {
		o.SRTCommand = perms.OuterSandbox.Command
	}
	if m := cfg.Workspaces.Cleanup.MinFreeBytes; m != nil && *m > 0 {
		o.MinFreeBytes = uint64(*m)
	}
	return o
}

// doctorTracker describes the configured tracker to the doctor. The local tracker is checked
// by reading its directory, so it is not built here (building fails on a missing directory
// with a less helpful message).
func doctorTracker(cfg *config.Config) doctor.Tracker {
	t := doctor.Tracker{Provider: cfg.Issues.Provider, Dir: cfg.Issues.Local.Dir, Endpoint: cfg.Issues.Linear.Endpoint}
	if t.Provider != "linear" {
		return t
	}
	tr, err := trackerFromConfig(cfg)
	if err != nil {
		t.Err = err
		return t
	}
	client, ok := tr.(*linear.Client)
	if !ok {
		t.Err = fmt.Errorf("provider linear built a %T, which has no viewer query", tr)
		return t
	}
	t.Verify = func(ctx context.Context) error {
		_, err := client.Viewer(ctx)
		return err
	}
	return t
}
