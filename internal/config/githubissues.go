package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// githubRepoPattern is owner/repo as GitHub spells them; isGitHubRepo adds the lengths, which
// as {0,38} and {1,100} repetitions would compile to a 120 KB program at every start-up.
var githubRepoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9._-]+$`)

// GitHub's longest owner and repository names.
const (
	maxGitHubOwner = 39
	maxGitHubRepo  = 100
)

func isGitHubRepo(s string) bool {
	owner, name, _ := strings.Cut(s, "/")
	return len(owner) <= maxGitHubOwner && len(name) <= maxGitHubRepo && githubRepoPattern.MatchString(s)
}

// githubBuiltinStates are the states every GitHub issue has without a label; a state label
// may not reuse their names.
var githubBuiltinStates = []string{"open", "closed"}

// validateGitHubIssues checks issues.github.* for provider github, and that no Linear-only
// selector is set, since GitHub has no teams or Linear projects to match.
func (l *loader) validateGitHubIssues() {
	g := l.cfg.Issues.GitHub
	if len(g.Repos) == 0 {
		l.bad("issues.github.repos", "must list at least one repository as owner/repo for provider github")
	}
	seen := map[string]int{}
	for i, r := range g.Repos {
		path := fmt.Sprintf("issues.github.repos[%d]", i)
		if !isGitHubRepo(strings.TrimSpace(r)) || strings.HasSuffix(r, ".git") {
			l.bad(path, "must be owner/repo, got "+quote(r))
			continue
		}
		key := strings.ToLower(strings.TrimSpace(r))
		if j, dup := seen[key]; dup {
			l.bad(path, fmt.Sprintf("duplicates issues.github.repos[%d]", j))
		}
		seen[key] = i
	}
	states := make([]string, 0, len(g.StateLabels))
	for state := range g.StateLabels {
		states = append(states, state)
	}
	sort.Strings(states)
	labels := map[string]string{}
	for _, state := range states {
		path := "issues.github.state_labels." + state
		label := strings.TrimSpace(g.StateLabels[state])
		switch {
		case strings.TrimSpace(state) == "":
			l.bad("issues.github.state_labels", "has a blank state name")
		case slices.Contains(githubBuiltinStates, strings.ToLower(strings.TrimSpace(state))):
			l.bad(path, "names a state every GitHub issue has without a label (Open, Closed); pick another name")
		case label == "":
			l.bad(path, "must name a label")
		case labels[strings.ToLower(label)] != "":
			l.bad(path, fmt.Sprintf("label %q already marks state %q", label, labels[strings.ToLower(label)]))
		default:
			labels[strings.ToLower(label)] = state
		}
	}
	for label, p := range g.PriorityLabels {
		if strings.TrimSpace(label) == "" {
			l.bad("issues.github.priority_labels", "has a blank label")
		} else if p < 0 {
			l.bad("issues.github.priority_labels."+label, fmt.Sprintf("must be zero or a positive integer, got %d", p))
		}
	}
	l.noBlankEntries("issues.github.labels", g.Labels)
	for _, key := range []string{"issues.linear.scope", "issues.linear.assignee"} {
		if l.has(key) {
			l.bad(key, "selects Linear issues; provider github uses issues.github.labels and issues.github.assignee")
		}
	}
	for i, r := range l.cfg.Repositories {
		if strings.TrimSpace(r.Route.Team) != "" {
			l.bad(fmt.Sprintf("repositories[%d].route.team", i), "GitHub has no teams; select a repository with route.projects: [owner/repo] or issues with route.labels")
		}
		for j, p := range r.Route.Projects {
			if _, ok := seen[strings.ToLower(strings.TrimSpace(p))]; !ok && strings.TrimSpace(p) != "" {
				l.bad(fmt.Sprintf("repositories[%d].route.projects[%d]", i, j), fmt.Sprintf("names %q, which is not in issues.github.repos", p))
			}
		}
	}
}
