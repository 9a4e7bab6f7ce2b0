// Package memory is an in-memory tracker for tests and demos. It holds normalized issues
// directly, applies the same route and scope rules as the Linear client (evaluated locally)
// and the same aggregation, and can be told to fail its next calls so callers can test their
// error paths.
package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Options configures a Tracker.
type Options struct {
	Settings tracker.Settings
	// ViewerID is the user "me" stands for.
	ViewerID string
	// Issues is the initial content.
	Issues []issue.Issue
	// Now defaults to time.Now; it stamps comments and state changes.
	Now func() time.Time
}

// Tracker is an in-memory tracker.Tracker. It is safe for concurrent use.
type Tracker struct {
	settings tracker.Settings
	viewerID string
	now      func() time.Time

	mu       sync.Mutex
	issues   []issue.Issue
	comments map[string][]issue.Comment
	// parents maps a child issue id to its parent's id.
	parents map[string]string
	// relations are stored on their source issue, in Linear's words (blocks, related, duplicate).
	relations []storedRelation
	links     map[string][]tracker.Link
	// files are the attached files by their link URL.
	files    map[string]tracker.FileUpload
	nextID   int
	failures []error
	calls    int
}

var _ tracker.Tracker = (*Tracker)(nil)

// New validates the settings and returns a tracker holding opts.Issues.
func New(opts Options) (*Tracker, error) {
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	t := &Tracker{settings: opts.Settings, viewerID: opts.ViewerID, now: opts.Now, comments: map[string][]issue.Comment{},
		parents: map[string]string{}, links: map[string][]tracker.Link{}, files: map[string]tracker.FileUpload{}}
	if t.now == nil {
		t.now = time.Now
	}
	for _, is := range opts.Issues {
		t.Put(is)
	}
	return t, nil
}

// Put adds an issue or replaces the one with the same ID. Labels are lowercased as every
// tracker does.
func (t *Tracker) Put(is issue.Issue) {
	t.mu.Lock()
	defer t.mu.Unlock()
	is = clone(is)
	for i, l := range is.Labels {
		is.Labels[i] = strings.ToLower(l)
	}
	if i := t.index(is.ID); i >= 0 {
		t.issues[i] = is
		return
	}
	t.issues = append(t.issues, is)
}

// Remove deletes an issue, as if it had been deleted in the tracker.
func (t *Tracker) Remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i := t.index(id); i >= 0 {
		t.issues = slices.Delete(t.issues, i, i+1)
	}
}

// FailNext makes the next calls fail with errs, one call each, in order.
func (t *Tracker) FailNext(errs ...error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures = append(t.failures, errs...)
}

// Calls reports how many tracker calls were made, failed ones included.
func (t *Tracker) Calls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls
}

// begin counts a call and returns the injected failure it must report, if any (t.mu held).
func (t *Tracker) begin(ctx context.Context) error {
	t.calls++
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(t.failures) > 0 {
		err := t.failures[0]
		t.failures = t.failures[1:]
		return err
	}
	return nil
}

// FetchCandidates implements tracker.Tracker.
func (t *Tracker) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return tracker.Candidates{}, err
	}
	return tracker.Aggregate(t.routeResults(t.settings.ActiveStates)), nil
}

// FetchRouteCandidates implements tracker.Tracker.
func (t *Tracker) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	r, err := t.settings.Route(routeKey)
	if err != nil {
		return nil, err
	}
	return tracker.TagRoute(t.match(r, t.settings.ActiveStates), r.Key), nil
}

// FetchIssuesByStates implements tracker.Tracker.
func (t *Tracker) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	if len(tracker.NonEmpty(states)) == 0 {
		return nil, nil
	}
	return tracker.Aggregate(t.routeResults(states)).All(), nil
}

func (t *Tracker) routeResults(states []string) []tracker.RouteResult {
	results := make([]tracker.RouteResult, 0, len(t.settings.Routes))
	for _, r := range t.settings.Routes {
		results = append(results, tracker.RouteResult{Route: r, Issues: t.match(r, states)})
	}
	return results
}

func (t *Tracker) match(r tracker.Route, states []string) []issue.Issue {
	sel := t.settings.Effective(r)
	var out []issue.Issue
	for _, is := range t.issues {
		if issue.StateIn(is.State, states) && sel.Matches(is, t.viewerID) {
			c := clone(is)
			c.AssignedToWorker = true
			out = append(out, c)
		}
	}
	return out
}

// FetchIssueStatesByIDs implements tracker.Tracker.
func (t *Tracker) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	var out []issue.Issue
	for _, id := range tracker.NonEmpty(ids) {
		if i := t.index(id); i >= 0 {
			out = append(out, t.withAssignment(t.issues[i]))
		}
	}
	return out, nil
}

// FetchIssueByIdentifier implements tracker.Tracker.
func (t *Tracker) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return issue.Issue{}, err
	}
	for _, is := range t.issues {
		if is.Identifier == identifier {
			return t.withAssignment(is), nil
		}
	}
	return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "memory tracker has no issue %s", identifier)
}

// withAssignment copies is and sets AssignedToWorker against the issue-level assignee.
func (t *Tracker) withAssignment(is issue.Issue) issue.Issue {
	c := clone(is)
	c.AssignedToWorker = t.settings.Scope.Assigned(c.AssigneeID, t.viewerID)
	return c
}

// UpdateIssueState implements tracker.Tracker.
func (t *Tracker) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return err
	}
	if strings.TrimSpace(stateName) == "" {
		return tracker.Errorf(tracker.CodeStateNotFound, "state name is empty")
	}
	i := t.index(issueID)
	if i < 0 {
		return tracker.Errorf(tracker.CodeIssueNotFound, "memory tracker has no issue %s", issueID)
	}
	now := t.now()
	t.issues[i].State, t.issues[i].UpdatedAt = stateName, &now
	return nil
}

// ListComments implements tracker.Tracker.
func (t *Tracker) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	if t.index(issueID) < 0 {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "memory tracker has no issue %s", issueID)
	}
	return slices.Clone(t.comments[issueID]), nil
}

// CreateComment implements tracker.Tracker.
func (t *Tracker) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return issue.Comment{}, err
	}
	if t.index(issueID) < 0 {
		return issue.Comment{}, tracker.Errorf(tracker.CodeIssueNotFound, "memory tracker has no issue %s", issueID)
	}
	t.nextID++
	now := t.now()
	c := issue.Comment{ID: fmt.Sprintf("comment-%d", t.nextID), Body: body, Author: "symphony", CreatedAt: &now, UpdatedAt: &now}
	t.comments[issueID] = append(t.comments[issueID], c)
	return c, nil
}

// AddComment adds a comment as someone other than Symphony would write it (a person replying
// on the issue), giving it an id and the current time when it has none.
func (t *Tracker) AddComment(issueID string, c issue.Comment) issue.Comment {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID++
	if c.ID == "" {
		c.ID = fmt.Sprintf("comment-%d", t.nextID)
	}
	if c.CreatedAt == nil {
		now := t.now()
		c.CreatedAt = &now
	}
	t.comments[issueID] = append(t.comments[issueID], c)
	return c
}

// UpdateComment implements tracker.Tracker.
func (t *Tracker) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return issue.Comment{}, err
	}
	for i, c := range t.comments[issueID] {
		if c.ID == commentID {
			now := t.now()
			c.Body, c.UpdatedAt = body, &now
			t.comments[issueID][i] = c
			return c, nil
		}
	}
	return issue.Comment{}, tracker.Errorf(tracker.CodeCommentNotFound, "issue %s has no comment %s", issueID, commentID)
}

func (t *Tracker) index(id string) int {
	return slices.IndexFunc(t.issues, func(is issue.Issue) bool { return is.ID == id })
}

// clone copies the slices of is so callers cannot change stored issues through them.
func clone(is issue.Issue) issue.Issue {
	is.Labels = slices.Clone(is.Labels)
	is.BlockedBy = slices.Clone(is.BlockedBy)
	is.ConflictRepoKeys = slices.Clone(is.ConflictRepoKeys)
	is.PRURLs = slices.Clone(is.PRURLs)
	is.Comments = slices.Clone(is.Comments)
	is.LinkedIssues = slices.Clone(is.LinkedIssues)
	return is
}
