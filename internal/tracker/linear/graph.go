package linear

import (
	"context"

	"github.com/symphony-go/symphony/internal/tracker"
)

// refNode is the SymphonyIssueRefFields selection.
type refNode struct {
	ID         string `json:"id"`
	Identifier string `json:"identifier"`
	Title      string `json:"title"`
	URL        string `json:"url"`
	State      *struct {
		Name string `json:"name"`
	} `json:"state"`
}

func (n refNode) ref() tracker.IssueRef {
	r := tracker.IssueRef{ID: n.ID, Identifier: n.Identifier, Title: n.Title, URL: n.URL}
	if n.State != nil {
		r.State = n.State.Name
	}
	return r
}

// ListSubIssues returns the issue's first MaxRelated children.
func (c *Client) ListSubIssues(ctx context.Context, issueID string) ([]tracker.IssueRef, error) {
	var data struct {
		Issue *struct {
			Children struct {
				Nodes []refNode `json:"nodes"`
			} `json:"children"`
		} `json:"issue"`
	}
	if err := c.do(ctx, "SymphonySubIssues", map[string]any{"id": issueID, "first": tracker.MaxRelated}, &data); err != nil {
		return nil, err
	}
	if data.Issue == nil {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
	}
	out := make([]tracker.IssueRef, 0, len(data.Issue.Children.Nodes))
	for _, n := range data.Issue.Children.Nodes {
		out = append(out, n.ref())
	}
	return out, nil
}

// FetchParent returns the issue's parent, or nil when it has none.
func (c *Client) FetchParent(ctx context.Context, issueID string) (*tracker.IssueRef, error) {
	var data struct {
		Issue *struct {
			Parent *refNode `json:"parent"`
		} `json:"issue"`
	}
	if err := c.do(ctx, "SymphonyParentIssue", map[string]any{"id": issueID}, &data); err != nil {
		return nil, err
	}
	if data.Issue == nil {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
	}
	if data.Issue.Parent == nil {
		return nil, nil
	}
	ref := data.Issue.Parent.ref()
	return &ref, nil
}

// ListRelations returns the relations the issue is the source of (relations) and the target of
// (inverseRelations), MaxRelated of each, typed from the issue's side.
func (c *Client) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	type relationNode struct {
		Type         string   `json:"type"`
		RelatedIssue *refNode `json:"relatedIssue"`
		Issue        *refNode `json:"issue"`
	}
	var data struct {
		Issue *struct {
			Relations struct {
				Nodes []relationNode `json:"nodes"`
			} `json:"relations"`
			InverseRelations struct {
				Nodes []relationNode `json:"nodes"`
			} `json:"inverseRelations"`
		} `json:"issue"`
	}
	if err := c.do(ctx, "SymphonyIssueRelations", map[string]any{"id": issueID, "first": tracker.MaxRelated}, &data); err != nil {
		return nil, err
	}
	if data.Issue == nil {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
	}
	var out []tracker.Relation
	for _, n := range data.Issue.Relations.Nodes {
		if n.RelatedIssue != nil {
			out = append(out, tracker.Relation{Type: tracker.RelationType(n.Type, true), Issue: n.RelatedIssue.ref()})
		}
	}
	for _, n := range data.Issue.InverseRelations.Nodes {
		if n.Issue != nil {
			out = append(out, tracker.Relation{Type: tracker.RelationType(n.Type, false), Issue: n.Issue.ref()})
		}
	}
	return out, nil
}

// ListStates names the workflow states of the issue's team, so a refused state change can
// say which ones exist.
func (c *Client) ListStates(ctx context.Context, issueID string) ([]string, error) {
	var data struct {
		Issue *struct {
			Team *struct {
				States struct {
					Nodes []struct {
						Name string `json:"name"`
					} `json:"nodes"`
				} `json:"states"`
			} `json:"team"`
		} `json:"issue"`
	}
	if err := c.do(ctx, "SymphonyTeamStates", map[string]any{"id": issueID}, &data); err != nil {
		return nil, err
	}
	if data.Issue == nil || data.Issue.Team == nil {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
	}
	names := make([]string, 0, len(data.Issue.Team.States.Nodes))
	for _, n := range data.Issue.Team.States.Nodes {
		names = append(names, n.Name)
	}
	return names, nil
}

// DeleteComment removes a comment. Linear addresses comments by id alone; issueID is only
// used in messages.
func (c *Client) DeleteComment(ctx context.Context, issueID, commentID string) error {
	var data struct {
		CommentDelete *struct {
			Success bool `json:"success"`
		} `json:"commentDelete"`
	}
	if err := c.do(ctx, "SymphonyDeleteComment", map[string]any{"id": commentID}, &data); err != nil {
		return err
	}
	if data.CommentDelete == nil || !data.CommentDelete.Success {
		return tracker.Errorf(tracker.CodeMutationFailed, "Linear did not delete comment %s on issue %s", commentID, issueID)
	}
	return nil
}

// AttachURL links url to the issue as an attachment; an empty title is sent as null so
// Linear picks its own.
func (c *Client) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	var data struct {
		AttachmentLinkURL *struct {
			Success    bool `json:"success"`
			Attachment *struct {
				ID    string `json:"id"`
				URL   string `json:"url"`
				Title string `json:"title"`
			} `json:"attachment"`
		} `json:"attachmentLinkURL"`
	}
	vars := map[string]any{"issueId": issueID, "url": url, "title": nil}
	if title != "" {
		vars["title"] = title
	}
	if err := c.do(ctx, "SymphonyAttachURL", vars, &data); err != nil {
		return tracker.Link{}, err
	}
	p := data.AttachmentLinkURL
	if p == nil || !p.Success || p.Attachment == nil {
		return tracker.Link{}, tracker.Errorf(tracker.CodeMutationFailed, "Linear did not attach %s to issue %s", url, issueID)
	}
	return tracker.Link{ID: p.Attachment.ID, URL: p.Attachment.URL, Title: p.Attachment.Title}, nil
}
