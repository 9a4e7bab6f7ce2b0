package github

import (
	"context"
	"slices"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// maxBlockerLookups bounds how many blockers outside the listed repositories one call reads
// one by one, so a body full of foreign references cannot cost a poll hundreds of requests.
const maxBlockerLookups = 20

// snapshot is one listing of some repositories: the issues (pull requests left out) and the
// state of every listed number, pull requests included, for resolving blockers.
type snapshot struct {
	issues []issue.Issue
	states map[string]string
	// complete marks repositories whose open issues were all listed, so a number missing
	// from states there is closed (or never existed).
	complete map[string]bool
}

// listing fetches repos in the GitHub states that cover the workflow states asked for.
func (t *Tracker) listing(ctx context.Context, repos []ghapi.Repo, states []string, viewer string) (snapshot, error) {
	wantOpen, wantClosed := false, false
	for _, s := range states {
		if issue.NormalizeState(s) == issue.NormalizeState(StateClosed) {
			wantClosed = true
		} else {
			wantOpen = true
		}
	}
	ghState := ghapi.IssueOpen
	switch {
	case wantOpen && wantClosed:
		ghState = "all"
	case wantClosed:
		ghState = ghapi.IssueClosed
	}
	snap := snapshot{states: map[string]string{}, complete: map[string]bool{}}
	for _, repo := range repos {
		got, err := t.client.Issues(ctx, repo, ghState)
		if err != nil {
			return snapshot{}, trackerError(err, "")
		}
		snap.complete[repo.FullName()] = wantOpen
		for _, gi := range got {
			is := t.normalize(repo, gi, viewer)
			snap.states[is.ID] = is.State
			if gi.PullRequest || !issue.StateIn(is.State, states) {
				continue
			}
			snap.issues = append(snap.issues, is)
		}
	}
	return snap, nil
}

// resolveBlockers fills in the state of each blocker: from the listing when its repository
// was listed, else by reading it (at most maxBlockerLookups per call). A blocker that cannot
// be read keeps an empty state, which the orchestrator treats as not done.
func (t *Tracker) resolveBlockers(ctx context.Context, issues []issue.Issue, snap snapshot) error {
	looked := map[string]string{}
	lookups := 0
	for i := range issues {
		for j := range issues[i].BlockedBy {
			b := &issues[i].BlockedBy[j]
			if state, ok := snap.states[b.ID]; ok {
				b.State = state
				continue
			}
			repo, number, err := t.parseIdentifier(b.ID)
			if err == nil && snap.complete[repo.FullName()] {
				b.State = StateClosed
				continue
			}
			if state, ok := looked[b.ID]; ok {
				b.State = state
				continue
			}
			if lookups >= maxBlockerLookups {
				continue
			}
			lookups++
			if err != nil {
				repo, number, err = foreignRepo(b.ID)
				if err != nil {
					continue
				}
			}
			gi, err := t.client.Issue(ctx, repo, number)
			switch {
			case ghapi.ErrorCode(err) == ghapi.CodeNotFound:
				looked[b.ID] = ""
			case err != nil:
				return trackerError(err, "")
			default:
				looked[b.ID] = t.stateOf(gi)
				b.State = looked[b.ID]
			}
		}
	}
	return nil
}

// fetchRoutes lists every repository once and splits the result by route.
func (t *Tracker) fetchRoutes(ctx context.Context, routes []tracker.Route, states []string) ([]tracker.RouteResult, error) {
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	var repos []ghapi.Repo
	for _, r := range routes {
		for _, repo := range t.reposFor(t.settings.Effective(r)) {
			if !slices.Contains(repos, repo) {
				repos = append(repos, repo)
			}
		}
	}
	snap, err := t.listing(ctx, repos, states, viewer)
	if err != nil {
		return nil, err
	}
	if err := t.resolveBlockers(ctx, snap.issues, snap); err != nil {
		return nil, err
	}
	return t.settings.SplitByRoute(snap.issues, routes, viewer), nil
}

// FetchCandidates polls every configured repository once for open issues in the active
// states and splits them by route.
func (t *Tracker) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	return t.settings.Candidates(ctx, t.fetchRoutes)
}

// FetchRouteCandidates polls the repositories of one route.
func (t *Tracker) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	return t.settings.RouteCandidates(ctx, t.fetchRoutes, routeKey)
}

// FetchIssuesByStates returns every routed issue in one of states. Asking for Closed lists
// the repositories' closed issues too, which on an old repository takes many pages.
func (t *Tracker) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	return t.settings.IssuesByStates(ctx, t.fetchRoutes, states)
}

// FetchIssueStatesByIDs reads each issue; ids GitHub no longer knows (or that turned out to
// be pull requests) are left out, and an id that is not owner/repo#N of a polled repository
// fails the call.
func (t *Tracker) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]issue.Issue, 0, len(ids))
	for _, id := range ids {
		repo, number, err := t.parseIdentifier(id)
		if err != nil {
			return nil, err
		}
		gi, err := t.client.Issue(ctx, repo, number)
		if ghapi.ErrorCode(err) == ghapi.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, trackerError(err, "")
		}
		if gi.PullRequest {
			continue
		}
		out = append(out, t.normalize(repo, gi, viewer))
	}
	if err := t.resolveBlockers(ctx, out, snapshot{}); err != nil {
		return nil, err
	}
	return out, nil
}

// FetchIssueByIdentifier reads one issue by owner/repo#N.
func (t *Tracker) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	repo, number, err := t.parseIdentifier(identifier)
	if err != nil {
		return issue.Issue{}, err
	}
	viewer, err := t.viewerIfNeeded(ctx)
	if err != nil {
		return issue.Issue{}, err
	}
	gi, err := t.client.Issue(ctx, repo, number)
	if err != nil {
		return issue.Issue{}, trackerError(err, tracker.CodeIssueNotFound)
	}
	if gi.PullRequest {
		return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "%s is a pull request, not an issue", identifier)
	}
	is := []issue.Issue{t.normalize(repo, gi, viewer)}
	if err := t.resolveBlockers(ctx, is, snapshot{}); err != nil {
		return issue.Issue{}, err
	}
	return is[0], nil
}
