// Package linear is the Linear tracker: GraphQL over net/http with the query documents in
// queries.go. Candidate polling sends one IssueFilter per repository route (SPEC §11.2),
// paginates 50 issues per page, refreshes running issues by id in batches of 50, and stops
// sending requests while Linear's rate limit is exhausted, reporting tracker_rate_limited
// with the reset time instead.
package linear

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
)

// DefaultEndpoint is Linear's public GraphQL endpoint.
const DefaultEndpoint = "https://api.linear.app/graphql"

// DefaultTimeout bounds every request (SPEC §11.2 network timeout).
const DefaultTimeout = 30 * time.Second

// pageSize is the number of issues asked for per page and ids per by-id batch.
const pageSize = 50

// Options configures a Client.
type Options struct {
	// Endpoint defaults to DefaultEndpoint.
	Endpoint string
	// APIKey is sent verbatim in the Authorization header.
	APIKey   string
	Settings tracker.Settings
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// Now defaults to time.Now; tests replace it to step over rate-limit windows.
	Now func() time.Time
}

// Client talks to one Linear workspace with one API key. It is safe for concurrent use.
type Client struct {
	endpoint string
	apiKey   string
	settings tracker.Settings
	http     *http.Client
	now      func() time.Time

	mu           sync.Mutex
	viewerID     string
	blockedUntil time.Time
}

var (
	_ tracker.Tracker     = (*Client)(nil)
	_ tracker.StateLister = (*Client)(nil)
)

// New validates opts and returns a client. It sends no request.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.APIKey) == "" {
		return nil, tracker.Errorf(tracker.CodeMissingAPIKey, "issues.linear.api_key is empty (set it or LINEAR_API_KEY)")
	}
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	for _, r := range opts.Settings.Routes {
		if !opts.Settings.Effective(r).Scoped() {
			return nil, tracker.Errorf(tracker.CodeMissingScope,
				"repository %q polls all of Linear: set issues.linear.scope (project_slug, team or labels) or repositories[].route", r.Key)
		}
	}
	c := &Client{
		endpoint: opts.Endpoint,
		apiKey:   strings.TrimSpace(opts.APIKey),
		settings: opts.Settings,
		http:     opts.HTTPClient,
		now:      opts.Now,
	}
	if c.endpoint == "" {
		c.endpoint = DefaultEndpoint
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}
