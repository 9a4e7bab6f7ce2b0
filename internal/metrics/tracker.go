package metrics

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Operations of the tracker metrics, one per tracker.Tracker method.
const (
	opFetchCandidates        = "fetch_candidates"
	opFetchRouteCandidates   = "fetch_route_candidates"
	opFetchIssuesByStates    = "fetch_issues_by_states"
	opFetchIssueStatesByIDs  = "fetch_issue_states_by_ids"
	opFetchIssueByIdentifier = "fetch_issue_by_identifier"
	opUpdateIssueState       = "update_issue_state"
	opListComments           = "list_comments"
	opCreateComment          = "create_comment"
	opUpdateComment          = "update_comment"
	opDeleteComment          = "delete_comment"
	opListSubIssues          = "list_sub_issues"
	opFetchParent            = "fetch_parent"
	opListRelations          = "list_relations"
	opAttachURL              = "attach_url"
	opAttachFile             = "attach_file"
)

// Tracker wraps t so each request is counted and timed by operation. The wrapper is a plain
// tracker.Tracker: optional interfaces of t (tracker.ViewerIdentifier, tracker.StateLister)
// are not visible through it, so wrap only the orchestrator's tracker, which uses none.
func (m *Metrics) Tracker(t tracker.Tracker) tracker.Tracker {
	return &timedTracker{inner: t, m: m}
}

// timedTracker lists every method explicitly rather than embedding the interface, so a
// method added to tracker.Tracker cannot slip through uncounted.
type timedTracker struct {
	inner tracker.Tracker
	m     *Metrics
}

// done records one request that started at start and failed when *err is not nil.
func (t *timedTracker) done(op string, start time.Time, err *error) {
	t.m.trackerRequests.WithLabelValues(op).Inc()
	t.m.trackerTime.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if *err != nil {
		t.m.trackerErrors.WithLabelValues(op).Inc()
	}
}

func (t *timedTracker) FetchCandidates(ctx context.Context) (c tracker.Candidates, err error) {
	defer t.done(opFetchCandidates, time.Now(), &err)
	return t.inner.FetchCandidates(ctx)
}

func (t *timedTracker) FetchRouteCandidates(ctx context.Context, routeKey string) (list []issue.Issue, err error) {
	defer t.done(opFetchRouteCandidates, time.Now(), &err)
	return t.inner.FetchRouteCandidates(ctx, routeKey)
}

func (t *timedTracker) FetchIssuesByStates(ctx context.Context, states []string) (list []issue.Issue, err error) {
	defer t.done(opFetchIssuesByStates, time.Now(), &err)
	return t.inner.FetchIssuesByStates(ctx, states)
}

func (t *timedTracker) FetchIssueStatesByIDs(ctx context.Context, ids []string) (list []issue.Issue, err error) {
	defer t.done(opFetchIssueStatesByIDs, time.Now(), &err)
	return t.inner.FetchIssueStatesByIDs(ctx, ids)
}

func (t *timedTracker) FetchIssueByIdentifier(ctx context.Context, identifier string) (is issue.Issue, err error) {
	defer t.done(opFetchIssueByIdentifier, time.Now(), &err)
	return t.inner.FetchIssueByIdentifier(ctx, identifier)
}

func (t *timedTracker) UpdateIssueState(ctx context.Context, issueID, stateName string) (err error) {
	defer t.done(opUpdateIssueState, time.Now(), &err)
	return t.inner.UpdateIssueState(ctx, issueID, stateName)
}

func (t *timedTracker) ListComments(ctx context.Context, issueID string) (list []issue.Comment, err error) {
	defer t.done(opListComments, time.Now(), &err)
	return t.inner.ListComments(ctx, issueID)
}

func (t *timedTracker) CreateComment(ctx context.Context, issueID, body string) (c issue.Comment, err error) {
	defer t.done(opCreateComment, time.Now(), &err)
	return t.inner.CreateComment(ctx, issueID, body)
}

func (t *timedTracker) UpdateComment(ctx context.Context, issueID, commentID, body string) (c issue.Comment, err error) {
	defer t.done(opUpdateComment, time.Now(), &err)
	return t.inner.UpdateComment(ctx, issueID, commentID, body)
}

func (t *timedTracker) DeleteComment(ctx context.Context, issueID, commentID string) (err error) {
	defer t.done(opDeleteComment, time.Now(), &err)
	return t.inner.DeleteComment(ctx, issueID, commentID)
}

func (t *timedTracker) ListSubIssues(ctx context.Context, issueID string) (list []tracker.IssueRef, err error) {
	defer t.done(opListSubIssues, time.Now(), &err)
	return t.inner.ListSubIssues(ctx, issueID)
}

func (t *timedTracker) FetchParent(ctx context.Context, issueID string) (p *tracker.IssueRef, err error) {
	defer t.done(opFetchParent, time.Now(), &err)
	return t.inner.FetchParent(ctx, issueID)
}

func (t *timedTracker) ListRelations(ctx context.Context, issueID string) (list []tracker.Relation, err error) {
	defer t.done(opListRelations, time.Now(), &err)
	return t.inner.ListRelations(ctx, issueID)
}

func (t *timedTracker) AttachURL(ctx context.Context, issueID, url, title string) (l tracker.Link, err error) {
	defer t.done(opAttachURL, time.Now(), &err)
	return t.inner.AttachURL(ctx, issueID, url, title)
}

func (t *timedTracker) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (l tracker.Link, err error) {
	defer t.done(opAttachFile, time.Now(), &err)
	return t.inner.AttachFile(ctx, issueID, f)
}
