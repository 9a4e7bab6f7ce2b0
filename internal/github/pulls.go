package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v93/github"
)

// PullRequest returns pull request number.
func (c *Client) PullRequest(ctx context.Context, repo Repo, number int) (PullRequest, error) {
	p, _, err := c.rest.PullRequests.Get(bypassRateCheck(ctx), repo.Owner, repo.Name, number)
	if err != nil {
		return PullRequest{}, classify(fmt.Sprintf("get pull request %s#%d", repo.FullName(), number), err)
	}
	return convertPullRequest(p), nil
}

// PullRequestForBranch returns the pull request whose head is branch in repo itself (not a
// fork): the open one if there is one, else the most recently created. None is a
// github_not_found error.
func (c *Client) PullRequestForBranch(ctx context.Context, repo Repo, branch string) (PullRequest, error) {
	op := fmt.Sprintf("find pull request for %s:%s", repo.FullName(), branch)
	prs, err := paginate(ctx, op, func(ctx context.Context, page gh.ListOptions) ([]*gh.PullRequest, *gh.Response, error) {
		return c.rest.PullRequests.List(ctx, repo.Owner, repo.Name, &gh.PullRequestListOptions{
			State: "all", Head: repo.Owner + ":" + branch, Sort: "created", Direction: "desc", ListOptions: page,
		})
	})
	if err != nil {
		return PullRequest{}, err
	}
	var newest *PullRequest
	for _, p := range prs {
		pr := convertPullRequest(p)
		if pr.HeadRef != branch || !strings.EqualFold(pr.HeadRepo, repo.FullName()) {
			continue
		}
		if pr.State == PullRequestOpen {
			return pr, nil
		}
		if newest == nil || pr.CreatedAt.After(newest.CreatedAt) {
			newest = &pr
		}
	}
	if newest == nil {
		return PullRequest{}, &Error{Code: CodeNotFound, Op: op, Message: "no pull request has this branch as its head"}
	}
	return *newest, nil
}

// CreatePullRequest opens a pull request in repo.
func (c *Client) CreatePullRequest(ctx context.Context, repo Repo, pr NewPullRequest) (PullRequest, error) {
	op := fmt.Sprintf("create pull request %s %s -> %s", repo.FullName(), pr.Head, pr.Base)
	if strings.TrimSpace(pr.Title) == "" || pr.Head == "" || pr.Base == "" {
		return PullRequest{}, &Error{Code: CodeValidation, Op: op, Message: "title, head and base are required"}
	}
	p, _, err := c.rest.PullRequests.Create(bypassRateCheck(ctx), repo.Owner, repo.Name, gh.CreatePullRequest{
		Title: &pr.Title, Body: &pr.Body, Head: pr.Head, Base: pr.Base, Draft: &pr.Draft,
	})
	if err != nil {
		return PullRequest{}, classify(op, err)
	}
	return convertPullRequest(p), nil
}

// EditPullRequest changes a pull request's title, body or draft flag and returns it as it is
// afterwards.
func (c *Client) EditPullRequest(ctx context.Context, repo Repo, number int, edit PullRequestEdit) (PullRequest, error) {
	op := fmt.Sprintf("edit pull request %s#%d", repo.FullName(), number)
	if edit.Title == nil && edit.Body == nil && !edit.ReadyForReview {
		return PullRequest{}, &Error{Code: CodeValidation, Op: op, Message: "nothing to change"}
	}
	if edit.Title != nil || edit.Body != nil {
		if _, _, err := c.rest.PullRequests.Edit(bypassRateCheck(ctx), repo.Owner, repo.Name, number, &gh.PullRequest{Title: edit.Title, Body: edit.Body}); err != nil {
			return PullRequest{}, classify(op, err)
		}
	}
	pr, err := c.PullRequest(ctx, repo, number)
	if err != nil || !edit.ReadyForReview || !pr.Draft {
		return pr, err
	}
	if err := c.markReadyForReview(ctx, pr.NodeID); err != nil {
		return PullRequest{}, classify(op, err)
	}
	return c.PullRequest(ctx, repo, number)
}

// RequestReviewers asks the given logins to review a pull request.
func (c *Client) RequestReviewers(ctx context.Context, repo Repo, number int, logins []string) error {
	op := fmt.Sprintf("request reviewers on %s#%d", repo.FullName(), number)
	if len(logins) == 0 {
		return &Error{Code: CodeValidation, Op: op, Message: "no reviewers given"}
	}
	_, _, err := c.rest.PullRequests.RequestReviewers(bypassRateCheck(ctx), repo.Owner, repo.Name, number, gh.ReviewersRequest{Reviewers: logins})
	return classify(op, err)
}

// Reviews lists a pull request's reviews across every page.
func (c *Client) Reviews(ctx context.Context, repo Repo, number int) ([]Review, error) {
	reviews, err := paginate(ctx, fmt.Sprintf("list reviews of %s#%d", repo.FullName(), number),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.PullRequestReview, *gh.Response, error) {
			return c.rest.PullRequests.ListReviews(ctx, repo.Owner, repo.Name, number, &page)
		})
	return convertAll(reviews, convertReview), err
}

func convertAll[From, To any](in []From, convert func(From) To) []To {
	if in == nil {
		return nil
	}
	out := make([]To, 0, len(in))
	for _, v := range in {
		out = append(out, convert(v))
	}
	return out
}
