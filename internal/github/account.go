package github

import "context"

// Repository returns the repository's default branch and fork flag.
func (c *Client) Repository(ctx context.Context, repo Repo) (Repository, error) {
	r, _, err := c.rest.Repositories.Get(bypassRateCheck(ctx), repo.Owner, repo.Name)
	if err != nil {
		return Repository{}, classify("get repository "+repo.FullName(), err)
	}
	return Repository{
		FullName:      r.GetFullName(),
		DefaultBranch: r.GetDefaultBranch(),
		Fork:          r.GetFork(),
		Private:       r.GetPrivate(),
		HTMLURL:       r.GetHTMLURL(),
	}, nil
}

// CurrentUser returns the account the token belongs to.
func (c *Client) CurrentUser(ctx context.Context) (User, error) {
	u, _, err := c.rest.Users.Get(bypassRateCheck(ctx), "")
	if err != nil {
		return User{}, classify("get current user", err)
	}
	return User{ID: u.GetID(), Login: u.GetLogin()}, nil
}
