package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v93/github"
)

// perPage is GitHub's largest page size, so long lists take the fewest requests.
const perPage = 100

// maxPages bounds a listing (10,000 items at perPage), so a broken Link chain cannot loop.
const maxPages = 100

// paginate collects every page of a listing, following the Link header's next page.
func paginate[T any](ctx context.Context, op string, fetch func(ctx context.Context, opts gh.ListOptions) ([]T, *gh.Response, error)) ([]T, error) {
	var all []T
	opts := gh.ListOptions{PerPage: perPage}
	for range maxPages {
		items, resp, err := fetch(bypassRateCheck(ctx), opts)
		if err != nil {
			return nil, classify(op, err)
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		if resp.NextPage <= opts.Page {
			return nil, &Error{Code: CodeBadResponse, Op: op, Message: fmt.Sprintf("Link header's next page %d does not advance past page %d", resp.NextPage, opts.Page)}
		}
		opts.Page = resp.NextPage
	}
	return nil, &Error{Code: CodeBadResponse, Op: op, Message: fmt.Sprintf("more than %d pages", maxPages)}
}

// bypassRateCheck leaves rate limits to policyTransport, which waits within a bound instead
// of go-github's immediate refusal.
func bypassRateCheck(ctx context.Context) context.Context {
	return context.WithValue(ctx, gh.BypassRateLimitCheck, true)
}
