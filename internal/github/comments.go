package github

import (
	"context"
	"fmt"
	"time"

	gh "github.com/google/go-github/v93/github"
)

// IssueComments lists a pull request's conversation comments, oldest first, updated at or
// after since (zero: all), across every page.
func (c *Client) IssueComments(ctx context.Context, repo Repo, number int, since time.Time) ([]Comment, error) {
	opts := gh.IssueListCommentsOptions{Sort: new("created"), Direction: new("asc")}
	if !since.IsZero() {
		opts.Since = &since
	}
	comments, err := paginate(ctx, fmt.Sprintf("list comments of %s#%d", repo.FullName(), number),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.IssueComment, *gh.Response, error) {
			opts.ListOptions = page
			return c.rest.Issues.ListComments(ctx, repo.Owner, repo.Name, number, &opts)
		})
	return convertAll(comments, convertComment), err
}

// CreateIssueComment adds a conversation comment to a pull request (or issue).
func (c *Client) CreateIssueComment(ctx context.Context, repo Repo, number int, body string) (Comment, error) {
	op := fmt.Sprintf("comment on %s#%d", repo.FullName(), number)
	if body == "" {
		return Comment{}, &Error{Code: CodeValidation, Op: op, Message: "empty comment body"}
	}
	comment, _, err := c.rest.Issues.CreateComment(bypassRateCheck(ctx), repo.Owner, repo.Name, number, gh.IssueCommentRequest{Body: body})
	if err != nil {
		return Comment{}, classify(op, err)
	}
	return convertComment(comment), nil
}

// EditIssueComment replaces a conversation comment's body.
func (c *Client) EditIssueComment(ctx context.Context, repo Repo, commentID int64, body string) (Comment, error) {
	op := fmt.Sprintf("edit comment %d in %s", commentID, repo.FullName())
	if body == "" {
		return Comment{}, &Error{Code: CodeValidation, Op: op, Message: "empty comment body"}
	}
	comment, _, err := c.rest.Issues.UpdateComment(bypassRateCheck(ctx), repo.Owner, repo.Name, commentID, gh.IssueCommentRequest{Body: body})
	if err != nil {
		return Comment{}, classify(op, err)
	}
	return convertComment(comment), nil
}

// ReviewComments lists a pull request's inline review comments across every page.
func (c *Client) ReviewComments(ctx context.Context, repo Repo, number int) ([]ReviewComment, error) {
	comments, err := paginate(ctx, fmt.Sprintf("list review comments of %s#%d", repo.FullName(), number),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.PullRequestComment, *gh.Response, error) {
			return c.rest.PullRequests.ListComments(ctx, repo.Owner, repo.Name, number, &gh.PullRequestListCommentsOptions{
				Sort: "created", Direction: "asc", ListOptions: page,
			})
		})
	return convertAll(comments, convertReviewComment), err
}

// ReplyToReviewComment answers an inline review comment in its thread.
func (c *Client) ReplyToReviewComment(ctx context.Context, repo Repo, number int, commentID int64, body string) (ReviewComment, error) {
	op := fmt.Sprintf("reply to review comment %d on %s#%d", commentID, repo.FullName(), number)
	if body == "" {
		return ReviewComment{}, &Error{Code: CodeValidation, Op: op, Message: "empty reply body"}
	}
	reply, _, err := c.rest.PullRequests.CreateCommentInReplyTo(bypassRateCheck(ctx), repo.Owner, repo.Name, number, body, commentID)
	if err != nil {
		return ReviewComment{}, classify(op, err)
	}
	return convertReviewComment(reply), nil
}
