package config

import "fmt"

// Feature is a configured capability that this build does not run yet. Symphony refuses to
// start while one is enabled rather than silently ignoring it; `config check` lists them as
// warnings so an operator can see what their file asks for.
type Feature struct {
	Key    string // the setting that enables it
	Reason string
}

func (f Feature) String() string { return fmt.Sprintf("%s: %s", f.Key, f.Reason) }

// dashboardRequested reports whether the file spells out a dashboard setting: the dashboard
// is on by default but not built yet, so it counts as requested only when asked for.
func (l *loader) dashboardRequested() bool {
	return l.has("dashboard.enabled") || l.has("dashboard.port") || l.has("dashboard.host")
}

// Unimplemented lists the enabled features this build cannot run yet.
func (c *Config) Unimplemented() []Feature {
	var out []Feature
	add := func(enabled bool, key, reason string) {
		if enabled {
			out = append(out, Feature{Key: key, Reason: reason})
		}
	}
	add(c.PullRequests.Enabled, "pull_requests.enabled", "PR review polling is not implemented yet")
	add(c.PullRequests.Checks.Enabled && c.PullRequests.Enabled, "pull_requests.checks.enabled", "CI polling is not implemented yet")
	add(c.PullRequests.Learnings.Enabled, "pull_requests.learnings.enabled", "review learnings are not implemented yet")
	add(c.PrePushReview.Enabled, "pre_push_review.enabled", "the pre-push reviewer agent is not implemented yet")
	add(c.IssueGate.Enabled, "issue_gate.enabled", "the issue gate is not implemented yet")
	add(c.Notifications.Enabled && len(c.Notifications.Channels) > 0, "notifications.enabled", "notifications are not implemented yet")
	add(c.Verification.Enabled, "verification.enabled", "verification dev servers are not implemented yet")
	add(len(c.Workers.SSHHosts) > 0, "workers.ssh_hosts", "SSH workers are not implemented yet")
	add(len(c.DependencyAudit.AllowRegistries)+len(c.DependencyAudit.AllowGitSources)+len(c.DependencyAudit.AllowPathSources) > 0,
		"dependency_audit", "the dependency audit gate is not implemented yet")
	add(c.Dashboard.Enabled && c.dashboardRequested,
		"dashboard", "the dashboard and JSON API are not implemented yet (leave dashboard.enabled/host/port out to run without them)")
	return out
}
