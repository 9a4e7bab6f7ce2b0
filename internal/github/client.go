package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v93/github"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRateLimitWait = time.Minute
	DefaultMaxRetries       = 3
	DefaultRetryBackoff     = time.Second
)

// Options configures a Client.
type Options struct {
	// Endpoint is where the API lives (see EndpointFor).
	Endpoint Endpoint
	// Token authenticates every request (see TokenFromEnv).
	Token string
	// Timeout bounds each HTTP request, retries and rate-limit waits excluded; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRateLimitWait is the longest the client waits for a rate limit to lift; a longer
	// wait returns a github_rate_limited error carrying the reset time instead. Zero means
	// DefaultMaxRateLimitWait.
	MaxRateLimitWait time.Duration
	// MaxRetries bounds the retries of a request answered 5xx (or not answered at all); zero
	// means DefaultMaxRetries.
	MaxRetries int
	// RetryBackoff is the first retry's delay (zero: DefaultRetryBackoff); each further retry
	// doubles it.
	RetryBackoff time.Duration
	// Transport carries the requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// ConditionalReads sends every repeated GET with the last answer's ETag, so an unchanged
	// resource costs a 304 that GitHub does not count against the rate limit (for pollers).
	ConditionalReads bool
	// Sleep waits d or until ctx ends; tests inject one that records and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time rate-limit resets are measured against.
	Now func() time.Time
}

// Client talks to one GitHub API endpoint. It is safe for concurrent use.
type Client struct {
	rest     *gh.Client
	graphQL  string
	http     *http.Client
	download *http.Client
	opts     Options
}

// New returns a client for opts.Endpoint authenticated with opts.Token.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, &Error{Code: CodeMissingToken, Op: "new client", Message: "no token given"}
	}
	if opts.Endpoint.REST == "" {
		return nil, &Error{Code: CodeUnsupportedHost, Op: "new client", Message: "no API endpoint given"}
	}
	if opts.Endpoint.GraphQL == "" {
		opts.Endpoint.GraphQL = strings.TrimRight(opts.Endpoint.REST, "/") + "/graphql"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRateLimitWait <= 0 {
		opts.MaxRateLimitWait = DefaultMaxRateLimitWait
	}
	if opts.MaxRetries < 0 {
		return nil, fmt.Errorf("github: new client: MaxRetries %d is negative", opts.MaxRetries)
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = DefaultRetryBackoff
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepContext
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	api := opts
	if opts.ConditionalReads {
		api.Transport = newConditionalTransport(opts.Transport)
	}
	httpClient := &http.Client{Transport: &policyTransport{opts: api}}
	base := strings.TrimRight(opts.Endpoint.REST, "/") + "/"
	rest, err := gh.NewClient(gh.WithHTTPClient(httpClient), gh.WithURLs(&base, &base),
		gh.WithDisableRateLimitCheck(), gh.WithUserAgent("symphony"))
	if err != nil {
		return nil, fmt.Errorf("github: new client: %w", err)
	}
	return &Client{
		rest:    rest,
		graphQL: opts.Endpoint.GraphQL,
		http:    httpClient,
		// Log archives are served from another host by a pre-signed URL: no token goes there.
		download: &http.Client{Transport: opts.Transport, Timeout: opts.Timeout},
		opts:     opts,
	}, nil
}

// NewForHost builds a client for a repository host from the environment: the token from
// GH_TOKEN/GITHUB_TOKEN and the endpoint from EndpointFor. opts supplies the other settings.
func NewForHost(host string, enterpriseHosts []string, getenv func(string) string, opts Options) (*Client, error) {
	token, err := TokenFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	endpoint, err := EndpointFor(host, enterpriseHosts, getenv)
	if err != nil {
		return nil, err
	}
	opts.Token, opts.Endpoint = token, endpoint
	return New(opts)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
