package cli

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/metrics"
	"github.com/symphony-go/symphony/internal/orchestrator"
)

// runServe runs the service until SIGINT or SIGTERM: startup workspace cleanup, the
// scheduling loop, live configuration reload, the age collector, the JSON API and control
// plane, and a status line on stdout.
func runServe(cmd *cobra.Command, g *Globals) error {
	return withService(cmd, g, func(ctx context.Context, s *service, deps orchestrator.Deps) error {
		return serve(ctx, cmd, g, s, deps)
	})
}

func serve(ctx context.Context, cmd *cobra.Command, g *Globals, s *service, deps orchestrator.Deps) error {
	cfg := s.configs.Current()
	m := metrics.New(metrics.Options{Repositories: repositoryKeys(cfg)})
	// Closed after the loop and the helpers stop, and before the audit log closes, so queued
	// deliveries get their records.
	notices, err := newLiveNotifications(cfg, s.audit, s.logger, m.OnNotification)
	if err != nil {
		return usageErr(err)
	}
	defer notices.Close()
	deps.Notifier = notices
	o, err := orchestrator.New(m.Instrument(deps))
	if err != nil {
		return failure(err)
	}
	m.Watch(o)
	if cfg.PullRequests.Enabled {
		m.WatchPullRequests(s.store)
	}
	// Both start-up clean-ups (this machine's and the worker hosts') ask for the terminal
	// issues; the tracker is asked once.
	owners := &onceTerminal{Owners: storeAndTrackerOwners{trackerOwners: trackerOwners{tracker: s.tracker, cfg: cfg}, store: s.store}}
	if outcomes, err := s.workspaces.manager().StartupCleanup(ctx, owners, o); err != nil {
		s.logger.Warn("startup workspace cleanup skipped: ownership unknown, nothing deleted", "error", err)
	} else if len(outcomes) > 0 {
		s.logger.Info("startup workspace cleanup", "workspaces", len(outcomes))
	}
	if deps.HostWorkspaces != nil {
		reapHostSessions(ctx, cfg, s.logger)
		if n := cleanupHostWorkspaces(ctx, owners, s.store, deps.HostWorkspaces, s.logger); n > 0 {
			s.logger.Info("startup workspace cleanup on worker hosts", "workspaces", n)
		}
	}

	api, err := openAPI(g, s, o, m.Handler())
	if err != nil {
		return err
	}

	// The helpers stop, and are waited for, before the caller closes the store and audit log
	// they write through.
	ctx, cancel := context.WithCancel(ctx)
	var helpers sync.WaitGroup
	stopHelpers := func() { cancel(); helpers.Wait() }
	defer stopHelpers()
	helpers.Go(func() {
		if err := s.configs.Run(ctx); err != nil {
			s.logger.Error("configuration watcher stopped; edits apply after revalidation before dispatch", "error", err)
		}
	})
	if issues, ok := s.tracker.(issueWatcher); ok {
		helpers.Go(func() {
			if err := issues.Watch(ctx); err != nil {
				s.logger.Warn("issue file watcher stopped; each poll now checks every issue file's time and size", "error", err)
			}
		})
	}
	helpers.Go(func() { applyReloads(ctx, s, o, notices) })
	helpers.Go(func() { s.showStatus(ctx, cmd, g, o, api.url) })
	helpers.Go(func() { api.serve(ctx, g, s) })
	pollers, err := prPollers(s, cfg, notices, m.OnPREvent, deps)
	if err != nil {
		return failure(err)
	}
	if pollers != nil {
		helpers.Go(func() { pollers.Run(ctx) })
	}

	if err := o.Run(ctx); err != nil {
		return failure(err)
	}
	stopHelpers()
	fmt.Fprintln(cmd.OutOrStdout(), "symphony stopped")
	return nil
}

// issueWatcher is a tracker that answers faster while it follows its issues through file
// system events (the local tracker); it stays correct when Watch is not running.
type issueWatcher interface {
	Watch(ctx context.Context) error
}

// applyReloads pushes each reloaded configuration into the loop, the workspace layer and the
// notifier, and restarts the age collector so it runs on the new cleanup settings.
func applyReloads(ctx context.Context, s *service, o *orchestrator.Orchestrator, notices *liveNotifications) {
	// Stopping a collector waits for it, so two never work on the same workspaces.
	collect := func() (stop func()) {
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.workspaces.manager().RunCollector(cctx, o)
		}()
		return func() { cancel(); <-done }
	}
	stopCollector := collect()
	defer func() { stopCollector() }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.configs.Changed():
			cfg := s.configs.Current()
			s.workspaces.reload(cfg, s.logger)
			s.dependencies.ApplyConfig(cfg)
			notices.ApplyConfig(cfg)
			stopCollector()
			stopCollector = collect()
			if err := o.UpdateSettings(orchestrator.FromConfig(cfg)); err != nil {
				s.logger.Error("reloaded configuration not applied to the scheduler", "error", err)
			}
		}
	}
}

// printStatus writes the one-line status whenever it changes. It wakes on published
// snapshots only, so an idle service has no status timer.
func printStatus(ctx context.Context, w io.Writer, o *orchestrator.Orchestrator) {
	last := ""
	for {
		changed := o.Published()
		if line := o.Snapshot().StatusLine(); line != last {
			fmt.Fprintln(w, line)
			last = line
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// repositoryKeys lists the configured repository keys, whose metric series start at zero.
func repositoryKeys(cfg *config.Config) []string {
	keys := make([]string, 0, len(cfg.Repositories))
	for _, r := range cfg.Repositories {
		keys = append(keys, r.Key)
	}
	return keys
}
