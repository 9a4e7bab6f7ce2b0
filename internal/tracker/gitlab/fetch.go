package gitlab

import (
	"context"
	"net/http"
	"strconv"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// list fetches the project's issues in the GitLab state covering states, oldest first.
func (t *Tracker) list(ctx context.Context, states []string, viewer string) ([]issue.Issue, error) {
	wantOpen, wantClosed := false, false
	for _, s := range states {
		if issue.NormalizeState(s) == issue.NormalizeState(StateClosed) {
			wantClosed = true
		} else {
			wantOpen = true
		}
	}
	state := "opened"
	switch {
	case wantOpen && wantClosed:
		state = "all"
	case wantClosed:
		state = "closed"
	}
	opts := &gl.ListProjectIssuesOptions{State: &state, OrderBy: new("created_at"), Sort: new("asc"), ListOptions: gl.ListOptions{PerPage: pageSize, Page: 1}}
	var out []issue.Issue
	var iids []int64
	for range maxPages {
		page, next, err := t.listPage(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, gi := range page {
			if gi == nil || gi.IID == 0 {
				continue
			}
			if is := t.normalize(gi, viewer); issue.StateIn(is.State, states) {
				out = append(out, is)
				iids = append(iids, gi.IID)
			}
		}
		if next == 0 {
			if err := t.withBlockers(ctx, out, iids); err != nil {
				return nil, err
			}
			return out, nil
		}
		if next <= opts.Page {
			return nil, tracker.Errorf(tracker.CodeTrackerResponse, "GitLab list issues: next page %d does not advance past %d", next, opts.Page)
		}
		opts.Page = next
	}
	return nil, tracker.Errorf(tracker.CodeTrackerResponse, "GitLab list issues: more than %d pages", maxPages)
}

// cachedPage is one page of the issue list as last read, reused when GitLab answers its ETag
// with 304 Not Modified.
type cachedPage struct {
	etag   string
	issues []*gl.Issue
	next   int64
}

// listPage reads one page of the issue list, conditionally when an earlier answer gave an
// ETag, and returns its issues and the next page number (0 on the last page).
func (t *Tracker) listPage(ctx context.Context, opts *gl.ListProjectIssuesOptions) ([]*gl.Issue, int64, error) {
	key := *opts.State + "/" + strconv.FormatInt(opts.Page, 10)
	t.mu.Lock()
	cached, haveCached := t.pages[key]
	t.mu.Unlock()
	reqOpts := []gl.RequestOptionFunc{gl.WithContext(ctx)}
	if haveCached {
		reqOpts = append(reqOpts, gl.WithHeader("If-None-Match", cached.etag))
	}
	var page []*gl.Issue
	var next int64
	var etag string
	notModified := false
	err := t.call("list issues of "+t.project, "", func() (*gl.Response, error) {
		got, resp, err := t.client.Issues.ListProjectIssues(t.project, opts, reqOpts...)
		if haveCached && resp != nil && resp.StatusCode == http.StatusNotModified {
			// client-go counts 304 as success and then fails to decode its empty body.
			notModified = true
			return resp, nil
		}
		if resp != nil {
			next, etag = resp.NextPage, resp.Header.Get("ETag")
		}
		page = got
		return resp, err
	})
	switch {
	case err != nil:
		return nil, 0, err
	case notModified:
		return cached.issues, cached.next, nil
	}
	t.mu.Lock()
	if etag != "" {
		t.pages[key] = cachedPage{etag: etag, issues: page, next: next}
	} else {
		delete(t.pages, key)
	}
	t.mu.Unlock()
	return page, next, nil
}

func (t *Tracker) fetchRoutes(ctx context.Context, routes []tracker.Route, states []string) ([]tracker.RouteResult, error) {
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	issues, err := t.list(ctx, states, viewer)
	if err != nil {
		return nil, err
	}
	return t.settings.SplitByRoute(issues, routes, viewer), nil
}

// FetchCandidates lists the project's open issues once and splits them by route.
func (t *Tracker) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	return t.settings.Candidates(ctx, t.fetchRoutes)
}

// FetchRouteCandidates lists for one route.
func (t *Tracker) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	return t.settings.RouteCandidates(ctx, t.fetchRoutes, routeKey)
}

// FetchIssuesByStates returns every routed issue in one of states.
func (t *Tracker) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	return t.settings.IssuesByStates(ctx, t.fetchRoutes, states)
}

func (t *Tracker) get(ctx context.Context, iid int64) (*gl.Issue, error) {
	var gi *gl.Issue
	err := t.call("get issue "+t.identifier(iid), tracker.CodeIssueNotFound, func() (resp *gl.Response, err error) {
		gi, resp, err = t.client.Issues.GetIssue(t.project, iid, gl.WithContext(ctx))
		return resp, err
	})
	return gi, err
}

// FetchIssueStatesByIDs reads each issue in order, leaving out those GitLab no longer knows.
func (t *Tracker) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]issue.Issue, 0, len(ids))
	iids := make([]int64, 0, len(ids))
	for _, id := range ids {
		iid, err := t.parseIdentifier(id)
		if err != nil {
			return nil, err
		}
		gi, err := t.get(ctx, iid)
		if tracker.IsCode(err, tracker.CodeIssueNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t.normalize(gi, viewer))
		iids = append(iids, iid)
	}
	if err := t.withBlockers(ctx, out, iids); err != nil {
		return nil, err
	}
	return out, nil
}

// FetchIssueByIdentifier reads one issue by group/project#iid.
func (t *Tracker) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	iid, err := t.parseIdentifier(identifier)
	if err != nil {
		return issue.Issue{}, err
	}
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return issue.Issue{}, err
	}
	gi, err := t.get(ctx, iid)
	if err != nil {
		return issue.Issue{}, err
	}
	out := []issue.Issue{t.normalize(gi, viewer)}
	if err := t.withBlockers(ctx, out, []int64{iid}); err != nil {
		return issue.Issue{}, err
	}
	return out[0], nil
}
