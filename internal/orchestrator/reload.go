package orchestrator

import (
	"maps"
	"slices"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// UpdateSettings applies reloaded settings (for example after config.Store reports a change).
// Dispatch, slots, retries, reconciliation and budgets use them at once; the poll interval
// from the next tick; running attempts keep the settings they were dispatched with.
func (o *Orchestrator) UpdateSettings(s Settings) error {
	next, err := s.withDefaults()
	if err != nil {
		return err
	}
	return o.request(func(reply chan error) loopMessage { return msgSettings{s: next, reply: reply} }, "update settings")
}

func (o *Orchestrator) onSettings(m msgSettings) {
	if o.stopping {
		m.reply <- errShuttingDown("update settings")
		return
	}
	old := o.s
	o.s = m.s
	if !slices.EqualFunc(old.Routes, o.s.Routes, sameRoute) {
		keep := map[string]bool{}
		for _, r := range o.s.Routes {
			keep[r.Key] = true
		}
		maps.DeleteFunc(o.routeCache, func(key string, _ []issue.Issue) bool { return !keep[key] })
		o.routeNext = 0
		// The candidates were routed by the old routes; dispatch waits for the new ones.
		o.candidates, o.candidatesKnown = nil, false
	}
	if !slices.Equal(old.WorkerHosts, o.s.WorkerHosts) || old.MaxAgentsPerHost != o.s.MaxAgentsPerHost {
		o.log.Warn("workers.ssh_hosts and workers.max_concurrent_agents_per_host changed; they take effect at the next start")
	}
	if old.Watchdog != o.s.Watchdog {
		o.armWatchdog()
	}
	o.log.Info("settings reloaded", "poll_interval", o.s.PollInterval.String(), "max_total", o.s.MaxTotal)
	m.reply <- nil
}

func sameRoute(a, b tracker.Route) bool {
	return a.Key == b.Key && a.Default == b.Default && a.Team == b.Team && a.Assignee == b.Assignee &&
		slices.Equal(a.Projects, b.Projects) && slices.Equal(a.Labels, b.Labels)
}
