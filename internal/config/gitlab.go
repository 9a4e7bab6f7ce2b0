package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// validateGitLab checks issues.gitlab.* for provider gitlab.
func (l *loader) validateGitLab() {
	g := l.cfg.Issues.GitLab
	if l.required("issues.gitlab.base_url", g.BaseURL) {
		if msg := baseURLProblem(g.BaseURL, "https://gitlab.example.com"); msg != "" {
			l.bad("issues.gitlab.base_url", msg)
		}
	}
	if l.required("issues.gitlab.project", g.Project) {
		p := strings.Trim(strings.TrimSpace(g.Project), "/")
		if !strings.Contains(p, "/") || strings.ContainsAny(p, " #?") {
			l.bad("issues.gitlab.project", "must be the project's path, group/project, got "+quote(g.Project))
		}
	}
	states := make([]string, 0, len(g.StateLabels))
	for s := range g.StateLabels {
		states = append(states, s)
	}
	sort.Strings(states)
	labels := map[string]string{}
	for _, state := range states {
		path := "issues.gitlab.state_labels." + state
		label := strings.TrimSpace(g.StateLabels[state])
		switch {
		case slices.Contains(githubBuiltinStates, strings.ToLower(strings.TrimSpace(state))):
			l.bad(path, "names a state every GitLab issue has without a label (Open, Closed); pick another name")
		case label == "":
			l.bad(path, "must name a label")
		case labels[strings.ToLower(label)] != "":
			l.bad(path, fmt.Sprintf("label %q already marks state %q", label, labels[strings.ToLower(label)]))
		default:
			labels[strings.ToLower(label)] = state
		}
	}
	l.noBlankEntries("issues.gitlab.labels", g.Labels)
	for _, key := range []string{"issues.linear.scope", "issues.linear.assignee"} {
		if l.has(key) {
			l.bad(key, "selects Linear issues; provider gitlab uses issues.gitlab.labels and issues.gitlab.assignee")
		}
	}
	for i, r := range l.cfg.Repositories {
		if strings.TrimSpace(r.Route.Team) != "" || len(r.Route.Projects) > 0 {
			l.bad(fmt.Sprintf("repositories[%d].route", i), "provider gitlab polls one project; route issues with route.labels or route.assignee")
		}
	}
}
