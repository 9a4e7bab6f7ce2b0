package linear

import (
	"context"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// FetchCandidates polls every route for active issues and aggregates them. Any route failing
// fails the whole poll: a partial answer could hide a conflict.
func (c *Client) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	results, err := c.fetchRoutes(ctx, c.settings.ActiveStates)
	if err != nil {
		return tracker.Candidates{}, err
	}
	return tracker.Aggregate(results), nil
}

// FetchRouteCandidates polls one route for active issues, tagged with its key.
func (c *Client) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	r, err := c.settings.Route(routeKey)
	if err != nil {
		return nil, err
	}
	issues, err := c.fetchRoute(ctx, r, c.settings.ActiveStates)
	if err != nil {
		return nil, err
	}
	return tracker.TagRoute(issues, r.Key), nil
}

// FetchIssuesByStates returns every routed issue in the given states, conflicts included.
func (c *Client) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	states = tracker.NonEmpty(states)
	if len(states) == 0 {
		return nil, nil
	}
	results, err := c.fetchRoutes(ctx, states)
	if err != nil {
		return nil, err
	}
	return tracker.Aggregate(results).All(), nil
}

func (c *Client) fetchRoutes(ctx context.Context, states []string) ([]tracker.RouteResult, error) {
	results := make([]tracker.RouteResult, 0, len(c.settings.Routes))
	for _, r := range c.settings.Routes {
		issues, err := c.fetchRoute(ctx, r, states)
		if err != nil {
			return nil, err
		}
		results = append(results, tracker.RouteResult{Route: r, Issues: issues})
	}
	return results, nil
}

// fetchRoute follows the page chain for one route's filter, keeping Linear's order.
func (c *Client) fetchRoute(ctx context.Context, r tracker.Route, states []string) ([]issue.Issue, error) {
	sel := c.settings.Effective(r)
	assigneeID, err := c.resolveAssignee(ctx, sel.Assignee)
	if err != nil {
		return nil, err
	}
	filter := issueFilter(states, sel, assigneeID)
	var (
		issues []issue.Issue
		after  *string
	)
	for {
		var data struct {
			Issues *struct {
				Nodes    []issueNode `json:"nodes"`
				PageInfo *pageInfo   `json:"pageInfo"`
			} `json:"issues"`
		}
		vars := map[string]any{"filter": filter, "first": pageSize, "after": after}
		if err := c.do(ctx, "SymphonyCandidateIssues", vars, &data); err != nil {
			return nil, routeError(r, err)
		}
		if data.Issues == nil || data.Issues.PageInfo == nil {
			return nil, routeError(r, tracker.Errorf(tracker.CodeUnknownPayload, "SymphonyCandidateIssues: response has no issues page"))
		}
		for _, n := range data.Issues.Nodes {
			issues = append(issues, n.normalize(""))
		}
		page := data.Issues.PageInfo
		if !page.HasNextPage {
			return issues, nil
		}
		if page.EndCursor == nil || *page.EndCursor == "" {
			return nil, routeError(r, tracker.Errorf(tracker.CodeMissingEndCursor,
				"SymphonyCandidateIssues: page %d says more pages follow but has no endCursor", len(issues)/pageSize+1))
		}
		after = page.EndCursor
	}
}

// routeError names the route in the message while keeping the code and reset time.
func routeError(r tracker.Route, err error) error {
	te, ok := err.(*tracker.Error)
	if !ok {
		return err
	}
	out := *te
	out.Msg = "repository " + r.Key + ": " + te.Msg
	out.Err = err
	return &out
}

// FetchIssueStatesByIDs refreshes issues by id, 50 per request, in the order of ids.
func (c *Client) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	ids = tracker.NonEmpty(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	assigneeID, err := c.resolveAssignee(ctx, c.settings.Scope.Assignee)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]issue.Issue, len(ids))
	for start := 0; start < len(ids); start += pageSize {
		batch := ids[start:min(start+pageSize, len(ids))]
		var data struct {
			Issues *struct {
				Nodes []issueNode `json:"nodes"`
			} `json:"issues"`
		}
		if err := c.do(ctx, "SymphonyIssuesByIDs", map[string]any{"ids": batch, "first": len(batch)}, &data); err != nil {
			return nil, err
		}
		if data.Issues == nil {
			return nil, tracker.Errorf(tracker.CodeUnknownPayload, "SymphonyIssuesByIDs: response has no issues")
		}
		for _, n := range data.Issues.Nodes {
			byID[n.ID] = n.normalize(assigneeID)
		}
	}
	out := make([]issue.Issue, 0, len(byID))
	for _, id := range ids {
		if is, ok := byID[id]; ok {
			out = append(out, is)
		}
	}
	return out, nil
}

// FetchIssueByIdentifier looks one issue up by its key (ABC-123).
func (c *Client) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	identifier = strings.TrimSpace(identifier)
	if identifier == "" {
		return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "issue identifier is empty")
	}
	assigneeID, err := c.resolveAssignee(ctx, c.settings.Scope.Assignee)
	if err != nil {
		return issue.Issue{}, err
	}
	var data struct {
		Issue *issueNode `json:"issue"`
	}
	if err := c.do(ctx, "SymphonyIssueByIdentifier", map[string]any{"id": identifier}, &data); err != nil {
		return issue.Issue{}, err
	}
	if data.Issue == nil {
		return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", identifier)
	}
	return data.Issue.normalize(assigneeID), nil
}

// resolveAssignee turns "me" into the viewer's id, asking Linear once per client.
func (c *Client) resolveAssignee(ctx context.Context, assignee string) (string, error) {
	if assignee != tracker.AssigneeMe {
		return assignee, nil
	}
	return c.ViewerID(ctx)
}

// ViewerID implements tracker.ViewerIdentifier: the API key's user, asked once per client.
func (c *Client) ViewerID(ctx context.Context) (string, error) {
	c.mu.Lock()
	cached := c.viewerID
	c.mu.Unlock()
	if cached != "" {
		return cached, nil
	}
	return c.Viewer(ctx)
}

// Viewer asks Linear whose API key this is and returns that user's id. It is the cheapest
// authenticated request, so it also tells whether Linear is reachable and accepts the key.
func (c *Client) Viewer(ctx context.Context) (string, error) {
	var data struct {
		Viewer *struct {
			ID string `json:"id"`
		} `json:"viewer"`
	}
	if err := c.do(ctx, "SymphonyViewer", nil, &data); err != nil {
		return "", err
	}
	if data.Viewer == nil || data.Viewer.ID == "" {
		return "", tracker.Errorf(tracker.CodeMissingViewer, "Linear did not say who the API key belongs to")
	}
	c.mu.Lock()
	c.viewerID = data.Viewer.ID
	c.mu.Unlock()
	return data.Viewer.ID, nil
}
