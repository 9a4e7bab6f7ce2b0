package gitlab

import (
	"context"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// linksTTL bounds how long an issue's links are reused without asking GitLab again. GitLab
// keeps links behind one endpoint per issue; re-reading every candidate's links on every poll
// would cost one request per issue per poll. A link change writes a system note, which moves
// the issue's updated_at, so links are also read again whenever that moves.
const linksTTL = 5 * time.Minute

// GitLab's link types, from the point of view of the issue whose links are listed.
const (
	linkBlocks      = "blocks"
	linkIsBlockedBy = "is_blocked_by"
	linkRelatesTo   = "relates_to"
)

// cachedLinks is one issue's links as last read.
type cachedLinks struct {
	updatedAt time.Time
	readAt    time.Time
	links     []*gl.IssueRelation
}

// links returns the issue's links, read again when the cache entry is older than linksTTL or
// the issue changed since.
func (t *Tracker) links(ctx context.Context, iid int64, updatedAt *time.Time) ([]*gl.IssueRelation, error) {
	var changed time.Time
	if updatedAt != nil {
		changed = *updatedAt
	}
	t.mu.Lock()
	c, ok := t.linkCache[iid]
	t.mu.Unlock()
	if ok && c.updatedAt.Equal(changed) && t.now().Sub(c.readAt) < linksTTL {
		return c.links, nil
	}
	var got []*gl.IssueRelation
	err := t.call("list links of "+t.identifier(iid), tracker.CodeIssueNotFound, func() (resp *gl.Response, err error) {
		got, resp, err = t.client.IssueLinks.ListIssueRelations(t.project, iid, gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.linkCache[iid] = cachedLinks{updatedAt: changed, readAt: t.now(), links: got}
	t.mu.Unlock()
	return got, nil
}

// relationRef describes the other end of a link: GitLab's full reference names issues of
// other projects, and the state comes from the same label mapping as this project's issues.
func (t *Tracker) relationRef(r *gl.IssueRelation) tracker.IssueRef {
	id := t.identifier(r.IID)
	if r.References != nil && r.References.Full != "" {
		id = r.References.Full
	}
	state := t.stateOf(&gl.Issue{State: r.State, Labels: r.Labels})
	return tracker.IssueRef{ID: id, Identifier: id, Title: r.Title, State: state, URL: r.WebURL}
}

// withBlockers fills in each issue's blockers from its "is blocked by" links. A blocker this
// listing also returned takes its state from there, which is newer than the cached link's.
func (t *Tracker) withBlockers(ctx context.Context, issues []issue.Issue, iids []int64) error {
	listed := map[string]string{}
	for _, is := range issues {
		listed[is.ID] = is.State
	}
	for i := range issues {
		links, err := t.links(ctx, iids[i], issues[i].UpdatedAt)
		if tracker.IsCode(err, tracker.CodeIssueNotFound) {
			continue // deleted since it was listed; the next poll leaves it out
		}
		if err != nil {
			return err
		}
		for _, l := range links {
			if l == nil || l.LinkType != linkIsBlockedBy {
				continue
			}
			ref := t.relationRef(l)
			if state, ok := listed[ref.ID]; ok {
				ref.State = state
			}
			issues[i].BlockedBy = append(issues[i].BlockedBy, issue.Blocker{ID: ref.ID, Identifier: ref.Identifier, State: ref.State})
		}
	}
	return nil
}

// ListRelations reads the issue's links: "blocks", "is blocked by" and "relates to", at most
// tracker.MaxRelated each way.
func (t *Tracker) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return nil, err
	}
	var links []*gl.IssueRelation
	err = t.call("list links of "+issueID, tracker.CodeIssueNotFound, func() (resp *gl.Response, err error) {
		links, resp, err = t.client.IssueLinks.ListIssueRelations(t.project, iid, gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	kinds := map[string]string{linkBlocks: tracker.RelationBlocks, linkIsBlockedBy: tracker.RelationBlockedBy, linkRelatesTo: tracker.RelationRelated}
	counts := map[string]int{}
	out := []tracker.Relation{}
	for _, l := range links {
		if l == nil {
			continue
		}
		kind, ok := kinds[l.LinkType]
		if !ok {
			kind = l.LinkType
		}
		if counts[kind] >= tracker.MaxRelated {
			continue
		}
		counts[kind]++
		out = append(out, tracker.Relation{Type: kind, Issue: t.relationRef(l)})
	}
	return out, nil
}
