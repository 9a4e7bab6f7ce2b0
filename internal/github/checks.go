package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v93/github"
)

// CheckRuns lists the check runs on ref (a SHA, branch or tag) across every page.
func (c *Client) CheckRuns(ctx context.Context, repo Repo, ref string) ([]CheckRun, error) {
	runs, err := paginate(ctx, fmt.Sprintf("list check runs of %s@%s", repo.FullName(), ref),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.CheckRun, *gh.Response, error) {
			res, resp, err := c.rest.Checks.ListCheckRunsForRef(ctx, repo.Owner, repo.Name, ref, &gh.ListCheckRunsOptions{ListOptions: page})
			if err != nil {
				return nil, resp, err
			}
			return res.CheckRuns, resp, nil
		})
	return convertAll(runs, convertCheckRun), err
}

// CombinedStatus returns the combined commit status of ref with every context.
func (c *Client) CombinedStatus(ctx context.Context, repo Repo, ref string) (CombinedStatus, error) {
	var combined CombinedStatus
	statuses, err := paginate(ctx, fmt.Sprintf("get combined status of %s@%s", repo.FullName(), ref),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.RepoStatus, *gh.Response, error) {
			res, resp, err := c.rest.Repositories.GetCombinedStatus(ctx, repo.Owner, repo.Name, ref, &page)
			if err != nil {
				return nil, resp, err
			}
			combined.State, combined.SHA = res.GetState(), res.GetSHA()
			return res.Statuses, resp, nil
		})
	if err != nil {
		return CombinedStatus{}, err
	}
	for _, s := range statuses {
		combined.Contexts = append(combined.Contexts, StatusContext{
			Context: s.GetContext(), State: s.GetState(), Description: s.GetDescription(), TargetURL: s.GetTargetURL(),
		})
	}
	return combined, nil
}
