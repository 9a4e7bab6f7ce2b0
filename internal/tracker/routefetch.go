package tracker

import (
	"context"
	"slices"

	"github.com/symphony-go/symphony/internal/issue"
)

// RouteFetch lists, for each of routes in order, the issues in states that route matches.
// A tracker that reads a whole project at once and splits it by route (GitHub, GitLab, Jira)
// writes this one function and gets the three candidate reads of Tracker from it.
type RouteFetch func(ctx context.Context, routes []Route, states []string) ([]RouteResult, error)

// SplitByRoute gives each route the issues its effective filter matches. Each issue's label
// and blocker slices are copied, so routes that share an issue never share its slices.
func (s Settings) SplitByRoute(issues []issue.Issue, routes []Route, viewerID string) []RouteResult {
	results := make([]RouteResult, 0, len(routes))
	for _, r := range routes {
		e := s.Effective(r)
		var matched []issue.Issue
		for _, is := range issues {
			if e.Matches(is, viewerID) {
				is.Labels, is.BlockedBy = slices.Clone(is.Labels), slices.Clone(is.BlockedBy)
				matched = append(matched, is)
			}
		}
		results = append(results, RouteResult{Route: r, Issues: matched})
	}
	return results
}

// Candidates implements Tracker.FetchCandidates over fetch: every route, the active states.
func (s Settings) Candidates(ctx context.Context, fetch RouteFetch) (Candidates, error) {
	results, err := fetch(ctx, s.Routes, s.ActiveStates)
	if err != nil {
		return Candidates{}, err
	}
	return Aggregate(results), nil
}

// RouteCandidates implements Tracker.FetchRouteCandidates over fetch: one route's active
// issues, tagged with its key and in dispatch order.
func (s Settings) RouteCandidates(ctx context.Context, fetch RouteFetch, routeKey string) ([]issue.Issue, error) {
	r, err := s.Route(routeKey)
	if err != nil {
		return nil, err
	}
	results, err := fetch(ctx, []Route{r}, s.ActiveStates)
	if err != nil {
		return nil, err
	}
	out := TagRoute(results[0].Issues, r.Key)
	SortIssues(out)
	return out, nil
}

// IssuesByStates implements Tracker.FetchIssuesByStates over fetch: every routed issue in one
// of states; no states asks nothing.
func (s Settings) IssuesByStates(ctx context.Context, fetch RouteFetch, states []string) ([]issue.Issue, error) {
	states = NonEmpty(states)
	if len(states) == 0 {
		return nil, nil
	}
	results, err := fetch(ctx, s.Routes, states)
	if err != nil {
		return nil, err
	}
	return Aggregate(results).All(), nil
}
