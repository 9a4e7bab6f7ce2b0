package jira

import (
	"context"
	"net/http"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// candidateJQL selects the project's issues in states, oldest first so pages stay stable.
func (c *Client) candidateJQL(states []string) string {
	quoted := make([]string, 0, len(states))
	for _, s := range states {
		quoted = append(quoted, jqlString(s))
	}
	return "project = " + jqlString(c.project) + " AND status IN (" + strings.Join(quoted, ", ") + ") ORDER BY created ASC"
}

// search runs the JQL search across every page (nextPageToken until isLast). Records without
// an id, key or status are dropped; a failed page fails the whole search.
func (c *Client) search(ctx context.Context, states []string) ([]jiraIssue, error) {
	var (
		all   []jiraIssue
		token string
	)
	jql := c.candidateJQL(states)
	for range maxPages {
		req := map[string]any{"jql": jql, "fields": issueFields, "maxResults": pageSize}
		if token != "" {
			req["nextPageToken"] = token
		}
		var page struct {
			Issues        []jiraIssue `json:"issues"`
			NextPageToken string      `json:"nextPageToken"`
			IsLast        *bool       `json:"isLast"`
		}
		if err := c.do(ctx, http.MethodPost, "/rest/api/3/search/jql", req, &page, ""); err != nil {
			return nil, err
		}
		for _, j := range page.Issues {
			if j.valid() {
				all = append(all, j)
			}
		}
		if page.IsLast == nil || *page.IsLast {
			return all, nil
		}
		if page.NextPageToken == "" || page.NextPageToken == token {
			return nil, tracker.Errorf(tracker.CodeTrackerResponse, "Jira search: isLast is false but nextPageToken does not advance")
		}
		token = page.NextPageToken
	}
	return nil, tracker.Errorf(tracker.CodeTrackerResponse, "Jira search: more than %d pages", maxPages)
}

func (c *Client) fetchRoutes(ctx context.Context, routes []tracker.Route, states []string) ([]tracker.RouteResult, error) {
	viewer, err := c.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	found, err := c.search(ctx, states)
	if err != nil {
		return nil, err
	}
	issues := make([]issue.Issue, 0, len(found))
	for _, j := range found {
		issues = append(issues, c.normalize(j, viewer))
	}
	return c.settings.SplitByRoute(issues, routes, viewer), nil
}

// FetchCandidates searches the project once for the active states and splits by route.
func (c *Client) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	return c.settings.Candidates(ctx, c.fetchRoutes)
}

// FetchRouteCandidates searches for one route.
func (c *Client) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	return c.settings.RouteCandidates(ctx, c.fetchRoutes, routeKey)
}

// FetchIssuesByStates returns every routed issue in one of states.
func (c *Client) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	return c.settings.IssuesByStates(ctx, c.fetchRoutes, states)
}

// getIssue reads one issue by id or key.
func (c *Client) getIssue(ctx context.Context, idOrKey string) (jiraIssue, error) {
	var j jiraIssue
	err := c.do(ctx, http.MethodGet, issuePath(idOrKey, "?fields="+strings.Join(issueFields, ",")), nil, &j, tracker.CodeIssueNotFound)
	if err == nil && !j.valid() {
		return j, tracker.Errorf(tracker.CodeTrackerResponse, "Jira issue %s: the record lacks an id, key or status", idOrKey)
	}
	return j, err
}

// FetchIssueStatesByIDs reads each issue in order; ids Jira no longer knows are left out, and
// a malformed record fails the call.
func (c *Client) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	viewer, err := c.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]issue.Issue, 0, len(ids))
	for _, id := range ids {
		j, err := c.getIssue(ctx, id)
		if tracker.IsCode(err, tracker.CodeIssueNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c.normalize(j, viewer))
	}
	return out, nil
}

// FetchIssueByIdentifier reads one issue by key (ENG-12).
func (c *Client) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	viewer, err := c.viewerIfNeeded(ctx)
	if err != nil {
		return issue.Issue{}, err
	}
	j, err := c.getIssue(ctx, identifier)
	if err != nil {
		return issue.Issue{}, err
	}
	return c.normalize(j, viewer), nil
}
