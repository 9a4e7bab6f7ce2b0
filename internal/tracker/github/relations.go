package github

import (
	"context"
	"time"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/tracker"
)

var zeroTime time.Time

// ListSubIssues returns the issue's sub-issues from GitHub's sub-issue API, at most
// MaxRelated.
func (t *Tracker) ListSubIssues(ctx context.Context, issueID string) ([]tracker.IssueRef, error) {
	repo, number, err := t.parseIdentifier(issueID)
	if err != nil {
		return nil, err
	}
	subs, err := t.client.SubIssues(ctx, repo, number)
	if err != nil {
		return nil, trackerError(err, tracker.CodeIssueNotFound)
	}
	out := []tracker.IssueRef{}
	for _, gi := range subs[:min(len(subs), tracker.MaxRelated)] {
		out = append(out, t.ref(repo, gi))
	}
	return out, nil
}

// FetchParent returns the issue's parent, or nil when it has none.
func (t *Tracker) FetchParent(ctx context.Context, issueID string) (*tracker.IssueRef, error) {
	repo, number, err := t.parseIdentifier(issueID)
	if err != nil {
		return nil, err
	}
	if _, err := t.client.Issue(ctx, repo, number); err != nil {
		return nil, trackerError(err, tracker.CodeIssueNotFound)
	}
	parent, err := t.client.ParentIssue(ctx, repo, number)
	if ghapi.ErrorCode(err) == ghapi.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, trackerError(err, "")
	}
	ref := t.ref(repo, parent)
	return &ref, nil
}

// ListRelations returns the issues this one's body declares as blockers (blocked_by). GitHub
// keeps no other typed relations that REST exposes, and finding the issues this one blocks
// would mean reading every other body, so "blocks" is not reported.
func (t *Tracker) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	is, err := t.FetchIssueByIdentifier(ctx, issueID)
	if err != nil {
		return nil, err
	}
	out := []tracker.Relation{}
	for _, b := range is.BlockedBy[:min(len(is.BlockedBy), tracker.MaxRelated)] {
		ref := tracker.IssueRef{ID: b.ID, Identifier: b.Identifier, State: b.State}
		if repo, number, err := foreignRepo(b.ID); err == nil {
			if gi, err := t.client.Issue(ctx, repo, number); err == nil {
				ref = t.ref(repo, gi)
			}
		}
		out = append(out, tracker.Relation{Type: tracker.RelationBlockedBy, Issue: ref})
	}
	return out, nil
}

// ref is an issue as the agent tools show a related one. A sub-issue may live in another
// repository, which its repository_url names.
func (t *Tracker) ref(fallback ghapi.Repo, gi ghapi.Issue) tracker.IssueRef {
	repo := fallback
	if gi.Repo != "" {
		if r, ok := t.repo(gi.Repo); ok {
			repo = r
		} else if r, _, err := foreignRepo(gi.Repo + "#1"); err == nil {
			repo = r
		}
	}
	id := identifier(repo, gi.Number)
	return tracker.IssueRef{ID: id, Identifier: id, Title: gi.Title, State: t.stateOf(gi), URL: gi.URL}
}
