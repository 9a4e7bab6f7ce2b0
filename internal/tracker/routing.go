package tracker

import (
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
)

// RouteResult is one route's candidate list, as fetched.
type RouteResult struct {
	Route  Route
	Issues []issue.Issue
}

// Aggregate merges per-route results into dispatchable issues and conflicts.
//
// An issue matched by exactly one route is tagged with that route's key. The default route is
// a catch-all: it keeps an issue only when no other route matched it. An issue matched by two
// or more non-default routes is a conflict: RepoKey is cleared and ConflictRepoKeys lists the
// matching routes in sorted order. Both lists are sorted by identifier, then id.
func Aggregate(results []RouteResult) Candidates {
	type entry struct {
		issue      issue.Issue
		keys       []string
		defaultKey string
	}
	byID := map[string]*entry{}
	var order []string
	for _, res := range results {
		for _, is := range res.Issues {
			if is.ID == "" {
				continue
			}
			e := byID[is.ID]
			if e == nil {
				e = &entry{issue: is}
				byID[is.ID] = e
				order = append(order, is.ID)
			}
			if res.Route.Default {
				e.defaultKey = res.Route.Key
			} else if !slices.Contains(e.keys, res.Route.Key) {
				e.keys = append(e.keys, res.Route.Key)
			}
		}
	}
	var out Candidates
	for _, id := range order {
		e := byID[id]
		is := e.issue
		switch {
		case len(e.keys) > 1:
			slices.Sort(e.keys)
			is.RepoKey, is.ConflictRepoKeys = "", e.keys
			out.Conflicts = append(out.Conflicts, is)
		case len(e.keys) == 1:
			is.RepoKey, is.ConflictRepoKeys = e.keys[0], nil
			out.Dispatchable = append(out.Dispatchable, is)
		default:
			is.RepoKey, is.ConflictRepoKeys = e.defaultKey, nil
			out.Dispatchable = append(out.Dispatchable, is)
		}
	}
	SortIssues(out.Dispatchable)
	SortIssues(out.Conflicts)
	return out
}

// All returns dispatchable issues and conflicts together, sorted.
func (c Candidates) All() []issue.Issue {
	all := append(slices.Clone(c.Dispatchable), c.Conflicts...)
	SortIssues(all)
	return all
}

// SortIssues orders issues by identifier, then id, so every provider lists them the same way.
func SortIssues(issues []issue.Issue) {
	slices.SortStableFunc(issues, func(a, b issue.Issue) int {
		if c := strings.Compare(a.Identifier, b.Identifier); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// TagRoute returns issues with RepoKey set to key and no conflict keys.
func TagRoute(issues []issue.Issue, key string) []issue.Issue {
	for i := range issues {
		issues[i].RepoKey, issues[i].ConflictRepoKeys = key, nil
	}
	return issues
}

// Matches reports whether an issue satisfies an effective selection, evaluated client-side by
// providers that hold all issues locally. viewerID is what "me" stands for. Teams match by key
// or id; projects by name, slug id or id; labels case-insensitively.
func (e Effective) Matches(is issue.Issue, viewerID string) bool {
	if e.Team != "" && (is.Team == nil || !(strings.EqualFold(is.Team.Key, e.Team) || is.Team.ID == e.Team)) {
		return false
	}
	if len(e.Projects) > 0 {
		if is.Project == nil {
			return false
		}
		p := is.Project
		if !slices.ContainsFunc(e.Projects, func(v string) bool { return v == p.Name || v == p.SlugID || v == p.ID }) {
			return false
		}
	}
	if e.ProjectSlug != "" && (is.Project == nil || is.Project.SlugID != e.ProjectSlug) {
		return false
	}
	if len(e.Labels) > 0 && !labelsMatch(is.Labels, e.Labels, e.AllLabels) {
		return false
	}
	if e.Assignee != "" {
		want := e.Assignee
		if want == AssigneeMe {
			want = viewerID
		}
		if want == "" || is.AssigneeID != want {
			return false
		}
	}
	return true
}

func labelsMatch(have, want []string, all bool) bool {
	has := func(w string) bool {
		return slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) })
	}
	if all {
		return !slices.ContainsFunc(want, func(w string) bool { return !has(w) })
	}
	return slices.ContainsFunc(want, has)
}
