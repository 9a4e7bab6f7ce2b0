package linear

import (
	"context"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// UpdateIssueState moves an issue to the named state of its team (matched case-insensitively).
// A UUID is taken as the state's id and sent as it is, as the reference does; Linear refuses
// it when it is not a state of the issue's team.
func (c *Client) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	if tracker.IsUUID(stateName) {
		return c.moveToState(ctx, issueID, stateName, stateName)
	}
	var lookup struct {
		Issue *struct {
			Team *struct {
				States struct {
					Nodes []struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"nodes"`
				} `json:"states"`
			} `json:"team"`
		} `json:"issue"`
	}
	if err := c.do(ctx, "SymphonyTeamState", map[string]any{"id": issueID, "name": stateName}, &lookup); err != nil {
		return err
	}
	if lookup.Issue == nil || lookup.Issue.Team == nil {
		return tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
	}
	if len(lookup.Issue.Team.States.Nodes) == 0 {
		return tracker.Errorf(tracker.CodeStateNotFound, "the team of issue %s has no workflow state named %q", issueID, stateName)
	}
	return c.moveToState(ctx, issueID, lookup.Issue.Team.States.Nodes[0].ID, stateName)
}

// moveToState sends the issueUpdate; stateName is only used in messages.
func (c *Client) moveToState(ctx context.Context, issueID, stateID, stateName string) error {
	var result struct {
		IssueUpdate *struct {
			Success bool `json:"success"`
		} `json:"issueUpdate"`
	}
	vars := map[string]any{"id": issueID, "stateId": stateID}
	if err := c.do(ctx, "SymphonyUpdateIssueState", vars, &result); err != nil {
		return err
	}
	if result.IssueUpdate == nil || !result.IssueUpdate.Success {
		return tracker.Errorf(tracker.CodeMutationFailed, "Linear did not move issue %s to %q", issueID, stateName)
	}
	return nil
}

// ListComments returns every comment on the issue, oldest first.
func (c *Client) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	var (
		comments []issue.Comment
		after    *string
	)
	for {
		var data struct {
			Issue *struct {
				Comments struct {
					Nodes    []commentNode `json:"nodes"`
					PageInfo pageInfo      `json:"pageInfo"`
				} `json:"comments"`
			} `json:"issue"`
		}
		vars := map[string]any{"id": issueID, "first": pageSize, "after": after}
		if err := c.do(ctx, "SymphonyIssueComments", vars, &data); err != nil {
			return nil, err
		}
		if data.Issue == nil {
			return nil, tracker.Errorf(tracker.CodeIssueNotFound, "Linear has no issue %s", issueID)
		}
		for _, n := range data.Issue.Comments.Nodes {
			comments = append(comments, n.normalize())
		}
		page := data.Issue.Comments.PageInfo
		if !page.HasNextPage {
			break
		}
		if page.EndCursor == nil || *page.EndCursor == "" {
			return nil, tracker.Errorf(tracker.CodeMissingEndCursor, "SymphonyIssueComments: issue %s: more pages follow but there is no endCursor", issueID)
		}
		after = page.EndCursor
	}
	slices.SortStableFunc(comments, func(a, b issue.Comment) int { return timeOf(a.CreatedAt).Compare(timeOf(b.CreatedAt)) })
	return comments, nil
}

// CreateComment posts a new comment on the issue.
func (c *Client) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	var data struct {
		CommentCreate *commentPayload `json:"commentCreate"`
	}
	if err := c.do(ctx, "SymphonyCreateComment", map[string]any{"issueId": issueID, "body": body}, &data); err != nil {
		return issue.Comment{}, err
	}
	return data.CommentCreate.comment("create a comment on issue " + issueID)
}

// UpdateComment replaces a comment's body. Linear addresses comments by id alone; issueID is
// only used in messages.
func (c *Client) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	var data struct {
		CommentUpdate *commentPayload `json:"commentUpdate"`
	}
	if err := c.do(ctx, "SymphonyUpdateComment", map[string]any{"id": commentID, "body": body}, &data); err != nil {
		return issue.Comment{}, err
	}
	return data.CommentUpdate.comment("update comment " + commentID + " on issue " + issueID)
}

type commentPayload struct {
	Success bool         `json:"success"`
	Comment *commentNode `json:"comment"`
}

func (p *commentPayload) comment(what string) (issue.Comment, error) {
	if p == nil || !p.Success || p.Comment == nil {
		return issue.Comment{}, tracker.Errorf(tracker.CodeMutationFailed, "Linear did not %s", what)
	}
	return p.Comment.normalize(), nil
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
