package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// scoped reports whether a route has any selector after trimming blanks.
func (r Route) scoped() bool {
	return strings.TrimSpace(r.Team) != "" || len(uniqueNonBlank(r.Projects)) > 0 ||
		len(uniqueNonBlank(r.Labels)) > 0 || strings.TrimSpace(r.Assignee) != ""
}

// teamOnly reports whether a route selects a whole team and nothing narrower.
func (r Route) teamOnly() bool {
	return strings.TrimSpace(r.Team) != "" && len(uniqueNonBlank(r.Projects)) == 0 &&
		len(uniqueNonBlank(r.Labels)) == 0 && strings.TrimSpace(r.Assignee) == ""
}

// signature is a route's match rule in canonical form, for detecting identical routes.
func (r Route) signature() string {
	projects := uniqueNonBlank(r.Projects)
	labels := uniqueLower(r.Labels)
	sort.Strings(projects)
	sort.Strings(labels)
	return fmt.Sprintf("team=%s|projects=%s|labels=%s|assignee=%s", strings.TrimSpace(r.Team),
		strings.Join(projects, ","), strings.Join(labels, ","), strings.TrimSpace(r.Assignee))
}

func repoNames(repos []*Repository) string {
	names := make([]string, len(repos))
	for i, r := range repos {
		names[i] = r.Key
	}
	return strings.Join(names, ", ")
}

// validateRepositories applies SPEC §5.4.1: keys, defaults, workflow paths, population
// settings and the routing rules that keep every issue mapped to at most one repository.
func (l *loader) validateRepositories() {
	repos := l.cfg.Repositories
	if len(repos) == 0 {
		l.bad("repositories", "must list at least one repository (each with a key and a workflow)")
		return
	}
	keys := map[string]int{}
	sanitized := map[string]int{}
	var defaults []*Repository
	for i := range repos {
		r := &repos[i]
		prefix := fmt.Sprintf("repositories[%d]", i)
		if l.required(prefix+".key", r.Key) {
			if j, dup := keys[r.Key]; dup {
				l.bad(prefix+".key", fmt.Sprintf("duplicates repositories[%d].key %q; keys must be unique", j, r.Key))
			} else if j, dup := sanitized[plainWorkspaceKey(r.Key)]; dup {
				l.bad(prefix+".key", fmt.Sprintf("%q and repositories[%d].key %q map to the same workspace directory %q", r.Key, j, repos[j].Key, plainWorkspaceKey(r.Key)))
			}
			keys[r.Key] = i
			sanitized[plainWorkspaceKey(r.Key)] = i
		}
		l.required(prefix+".workflow", r.Workflow)
		if r.Default {
			defaults = append(defaults, r)
		}
		if r.Workspace.Strategy != "" {
			l.oneOf(prefix+".workspace.strategy", r.Workspace.Strategy, "clone", "worktree")
		}
		if r.Strategy == "worktree" && r.SourceRepo == "" {
			l.bad(prefix+".workspace.repo", "is required when the workspace strategy is worktree (the primary clone that `git worktree add` runs in)")
		}
		l.noBlankEntries(prefix+".route.projects", r.Route.Projects)
		l.noBlankEntries(prefix+".route.labels", r.Route.Labels)
	}
	if len(defaults) > 1 {
		l.bad("repositories", fmt.Sprintf("at most one repository may set default: true; found %s", repoNames(defaults)))
	}
	if len(repos) > 1 {
		l.validateRoutes(repos)
		if l.cfg.Workspaces.Strategy == "worktree" {
			for i, r := range repos {
				if r.Workspace.Strategy == "" {
					l.bad(fmt.Sprintf("repositories[%d].workspace.strategy", i), "must be set on every repository when workspaces.strategy is worktree and there are several repositories (each worktree needs its own primary clone)")
				}
			}
		}
	}
}

func (l *loader) validateRoutes(repos []Repository) {
	bySignature := map[string][]*Repository{}
	var signatures []string
	byTeam := map[string][]*Repository{}
	var teams []string
	for i := range repos {
		r := &repos[i]
		if !r.Route.scoped() {
			if !r.Default {
				l.bad(fmt.Sprintf("repositories[%d].route", i), fmt.Sprintf("repository %q has no route selector; with several repositories each needs route.team/projects/labels/assignee, or default: true to catch the rest", r.Key))
			}
			continue
		}
		sig := r.Route.signature()
		if _, ok := bySignature[sig]; !ok {
			signatures = append(signatures, sig)
		}
		bySignature[sig] = append(bySignature[sig], r)
		team := strings.TrimSpace(r.Route.Team)
		if team != "" {
			if _, ok := byTeam[team]; !ok {
				teams = append(teams, team)
			}
			byTeam[team] = append(byTeam[team], r)
		}
	}
	for _, sig := range signatures {
		if group := bySignature[sig]; len(group) > 1 {
			l.bad("repositories", fmt.Sprintf("repositories %s have identical routes, so their issues could never be told apart", repoNames(group)))
		}
	}
	for _, team := range teams {
		group := byTeam[team]
		var catchAll, defaults []*Repository
		for _, r := range group {
			if r.Route.teamOnly() {
				catchAll = append(catchAll, r)
			}
			if r.Default {
				defaults = append(defaults, r)
			}
		}
		switch {
		case len(catchAll) > 1:
			l.bad("repositories", fmt.Sprintf("ambiguous team catch-all for team %q: %s all route the whole team", team, repoNames(catchAll)))
		case len(catchAll) == 1 && len(group) > 1 && !catchAll[0].Default:
			l.bad("repositories", fmt.Sprintf("ambiguous team catch-all for team %q: %s routes the whole team while %s narrow it; mark the catch-all default: true", team, catchAll[0].Key, repoNames(slices.DeleteFunc(slices.Clone(group), func(r *Repository) bool { return r == catchAll[0] }))))
		}
		if len(defaults) > 1 {
			l.bad("repositories", fmt.Sprintf("more than one default repository for team %q: %s", team, repoNames(defaults)))
		}
	}
}

// plainWorkspaceKey is the reference's directory-name form of a key: every character outside
// [A-Za-z0-9._-] becomes "_". Two repository keys with the same form are rejected even though
// the workspace layer also disambiguates them, because operators read these names on disk.
func plainWorkspaceKey(key string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, key)
}
