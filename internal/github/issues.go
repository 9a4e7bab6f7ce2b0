package github

import (
	"context"
	"fmt"
	"strings"
	"time"

	gh "github.com/google/go-github/v93/github"
)

// Issue states as the Issues API reports them.
const (
	IssueOpen   = "open"
	IssueClosed = "closed"
)

// Issue is one issue. The Issues API also lists pull requests; PullRequest marks those.
type Issue struct {
	// Repo is the issue's repository as owner/name, from its repository_url; a sub-issue may
	// live in another repository than its parent.
	Repo        string
	Number      int
	Title       string
	Body        string
	State       string
	URL         string
	Author      string
	Labels      []string
	Assignees   []string
	PullRequest bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Issues lists a repository's issues (and pull requests) in state (IssueOpen, IssueClosed or
// "all"), oldest first, across every page.
func (c *Client) Issues(ctx context.Context, repo Repo, state string) ([]Issue, error) {
	opts := gh.IssueListByRepoOptions{State: state, Sort: "created", Direction: "asc"}
	issues, err := paginate(ctx, fmt.Sprintf("list %s issues of %s", state, repo.FullName()),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.Issue, *gh.Response, error) {
			opts.ListOptions = page
			return c.rest.Issues.ListByRepo(ctx, repo.Owner, repo.Name, &opts)
		})
	return convertAll(issues, convertIssue), err
}

// Issue reads one issue (or pull request) by number.
func (c *Client) Issue(ctx context.Context, repo Repo, number int) (Issue, error) {
	is, _, err := c.rest.Issues.Get(bypassRateCheck(ctx), repo.Owner, repo.Name, number)
	if err != nil {
		return Issue{}, classify(fmt.Sprintf("get issue %s#%d", repo.FullName(), number), err)
	}
	return convertIssue(is), nil
}

// SetIssueStateAndLabels opens or closes an issue and replaces its labels in one request, so
// no reader ever sees the issue between two workflow states.
func (c *Client) SetIssueStateAndLabels(ctx context.Context, repo Repo, number int, state string, labels []string) (Issue, error) {
	op := fmt.Sprintf("edit issue %s#%d", repo.FullName(), number)
	if state != IssueOpen && state != IssueClosed {
		return Issue{}, &Error{Code: CodeValidation, Op: op, Message: fmt.Sprintf("state must be %s or %s, got %q", IssueOpen, IssueClosed, state)}
	}
	if labels == nil {
		labels = []string{}
	}
	is, _, err := c.rest.Issues.Update(bypassRateCheck(ctx), repo.Owner, repo.Name, number, gh.UpdateIssueRequest{State: &state, Labels: labels})
	if err != nil {
		return Issue{}, classify(op, err)
	}
	return convertIssue(is), nil
}

// SubIssues lists an issue's sub-issues in GitHub's order, across every page.
func (c *Client) SubIssues(ctx context.Context, repo Repo, number int) ([]Issue, error) {
	subs, err := paginate(ctx, fmt.Sprintf("list sub-issues of %s#%d", repo.FullName(), number),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.SubIssue, *gh.Response, error) {
			return c.rest.SubIssue.ListByIssue(ctx, repo.Owner, repo.Name, int64(number), &page)
		})
	return convertAll(subs, func(s *gh.SubIssue) Issue { return convertIssue((*gh.Issue)(s)) }), err
}

// ParentIssue returns the issue's parent; an issue without one is a github_not_found error.
func (c *Client) ParentIssue(ctx context.Context, repo Repo, number int) (Issue, error) {
	is, _, err := c.rest.SubIssue.GetParentIssue(bypassRateCheck(ctx), repo.Owner, repo.Name, int64(number))
	if err != nil {
		return Issue{}, classify(fmt.Sprintf("get the parent of %s#%d", repo.FullName(), number), err)
	}
	return convertIssue(is), nil
}

// DeleteIssueComment removes a conversation comment.
func (c *Client) DeleteIssueComment(ctx context.Context, repo Repo, commentID int64) error {
	_, err := c.rest.Issues.DeleteComment(bypassRateCheck(ctx), repo.Owner, repo.Name, commentID)
	return classify(fmt.Sprintf("delete comment %d in %s", commentID, repo.FullName()), err)
}

func convertIssue(is *gh.Issue) Issue {
	out := Issue{
		Repo:        repoFromAPIURL(is.GetRepositoryURL()),
		Number:      is.GetNumber(),
		Title:       is.GetTitle(),
		Body:        is.GetBody(),
		State:       is.GetState(),
		URL:         is.GetHTMLURL(),
		Author:      is.GetUser().GetLogin(),
		PullRequest: is.PullRequestLinks != nil,
		CreatedAt:   is.GetCreatedAt().Time,
		UpdatedAt:   is.GetUpdatedAt().Time,
	}
	for _, l := range is.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	for _, a := range is.Assignees {
		out.Assignees = append(out.Assignees, a.GetLogin())
	}
	return out
}

// repoFromAPIURL reads owner/name from a repository API URL (…/repos/owner/name), or "" when
// the URL has another shape.
func repoFromAPIURL(u string) string {
	_, rest, ok := strings.Cut(u, "/repos/")
	if !ok {
		return ""
	}
	owner, name, ok := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return ""
	}
	return owner + "/" + name
}
