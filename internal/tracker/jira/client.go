// Package jira is the Jira Cloud tracker over REST v3: candidates come from a JQL search of
// one project by status (paged with nextPageToken), state changes are workflow transitions
// found by their target status name, descriptions and comments are Atlassian Document Format
// converted to and from plain text, blockers are inward "Blocks" links, files are uploaded as
// attachments, and a 429 stops all requests until Jira's Retry-After has passed.
package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
)

// Defaults and bounds.
const (
	DefaultTimeout = 30 * time.Second
	pageSize       = 100
	maxPages       = 100
	maxBodyBytes   = 32 << 20
	// fallbackBackoff applies to a 429 without Retry-After.
	fallbackBackoff = time.Minute
)

// Options configures a Client.
type Options struct {
	// BaseURL is the site, e.g. https://example.atlassian.net; plain http only on loopback.
	BaseURL    string
	Email      string
	APIToken   string
	ProjectKey string
	Settings   tracker.Settings
	// HTTPClient defaults to one with DefaultTimeout.
	HTTPClient *http.Client
	// Now defaults to time.Now.
	Now func() time.Time
}

// Client is the Jira tracker. It is safe for concurrent use.
type Client struct {
	base, email, token, project string
	settings                    tracker.Settings
	http                        *http.Client
	now                         func() time.Time

	mu           sync.Mutex
	accountID    string
	blockedUntil time.Time
}

var (
	_ tracker.Tracker          = (*Client)(nil)
	_ tracker.StateLister      = (*Client)(nil)
	_ tracker.ViewerIdentifier = (*Client)(nil)
)

// New checks opts and returns a client. It sends no request.
func New(opts Options) (*Client, error) {
	if err := tracker.CheckBaseURL("issues.jira.base_url", opts.BaseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(opts.Email) == "" || strings.TrimSpace(opts.APIToken) == "" {
		return nil, tracker.Errorf(tracker.CodeMissingAPIKey, "issues.jira.email and issues.jira.api_token are required (JIRA_EMAIL, JIRA_API_TOKEN)")
	}
	if strings.TrimSpace(opts.ProjectKey) == "" {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.jira.project_key is required")
	}
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	if s := opts.Settings.Scope; s.Team != "" || s.ProjectSlug != "" {
		return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "Jira polls issues.jira.project_key; Linear teams and projects do not apply")
	}
	for _, r := range opts.Settings.Routes {
		if r.Team != "" || len(r.Projects) > 0 {
			return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "repository %q: Jira routes select by route.labels or route.assignee only", r.Key)
		}
	}
	c := &Client{base: strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/"), email: strings.TrimSpace(opts.Email),
		token: strings.TrimSpace(opts.APIToken), project: strings.TrimSpace(opts.ProjectKey), settings: opts.Settings,
		http: opts.HTTPClient, now: opts.Now}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// do sends one request with body as JSON (when it is not nil) and decodes a 2xx answer into
// out (when out is not nil). A 404 is reported with notFound's code when it is set.
func (c *Client) do(ctx context.Context, method, path string, body, out any, notFound tracker.Code) error {
	if body == nil {
		return c.send(ctx, method, path, nil, nil, out, notFound)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return tracker.Errorf(tracker.CodeTrackerRequest, "Jira %s %s: encode request: %w", method, path, err)
	}
	return c.send(ctx, method, path, payload, http.Header{"Content-Type": {"application/json"}}, out, notFound)
}

// send sends payload (nil for none) with the given headers and decodes a 2xx answer into out
// (when out is not nil), under the rate-limit window and the error mapping of every request.
func (c *Client) send(ctx context.Context, method, path string, payload []byte, header http.Header, out any, notFound tracker.Code) error {
	op := method + " " + path
	if err := c.checkBackoff(); err != nil {
		return err
	}
	var reader io.Reader
	if payload != nil {
		reader = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return tracker.Errorf(tracker.CodeTrackerRequest, "Jira %s: %w", op, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.SetBasicAuth(c.email, c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return tracker.Errorf(tracker.CodeTrackerRequest, "Jira %s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return tracker.Errorf(tracker.CodeTrackerRequest, "Jira %s: read response: %w", op, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		reset := c.now().Add(fallbackBackoff)
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			reset = c.now().Add(time.Duration(secs) * time.Second)
		}
		c.mu.Lock()
		if reset.After(c.blockedUntil) {
			c.blockedUntil = reset
		}
		c.mu.Unlock()
		return &tracker.Error{Code: tracker.CodeRateLimited, Msg: "Jira " + op + ": rate limited (HTTP 429)", ResetAt: reset}
	case resp.StatusCode == http.StatusNotFound && notFound != "":
		return tracker.Errorf(notFound, "Jira %s: not found%s", op, jiraMessages(data))
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e := tracker.Errorf(tracker.CodeTrackerStatus, "Jira %s: HTTP %d%s (check issues.jira.email and issues.jira.api_token)", op, resp.StatusCode, jiraMessages(data))
		e.Err = tracker.ErrAuthRejected
		return e
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return tracker.Errorf(tracker.CodeTrackerStatus, "Jira %s: HTTP %d%s", op, resp.StatusCode, jiraMessages(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return tracker.Errorf(tracker.CodeTrackerResponse, "Jira %s: unexpected response: %w", op, err)
	}
	return nil
}

func (c *Client) checkBackoff() error {
	c.mu.Lock()
	until := c.blockedUntil
	c.mu.Unlock()
	if until.IsZero() || !c.now().Before(until) {
		return nil
	}
	return &tracker.Error{Code: tracker.CodeRateLimited, Msg: "Jira rate limit: not sending until it resets", ResetAt: until}
}

// jiraMessages reads Jira's error body ({"errorMessages": [...], "errors": {...}}) for a
// message, bounded.
func jiraMessages(data []byte) string {
	var body struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	parts := append([]string{}, body.ErrorMessages...)
	for k, v := range body.Errors {
		parts = append(parts, k+": "+v)
	}
	msg := strings.Join(parts, "; ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// ViewerID returns the account id of the token's user, which "me" stands for.
func (c *Client) ViewerID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.accountID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var me struct {
		AccountID string `json:"accountId"`
	}
	if err := c.do(ctx, http.MethodGet, "/rest/api/3/myself", nil, &me, ""); err != nil {
		return "", err
	}
	if me.AccountID == "" {
		return "", tracker.Errorf(tracker.CodeTrackerResponse, "Jira /myself returned no accountId")
	}
	c.mu.Lock()
	c.accountID = me.AccountID
	c.mu.Unlock()
	return me.AccountID, nil
}

func (c *Client) viewerIfNeeded(ctx context.Context) (string, error) {
	needs := c.settings.Scope.Assignee == tracker.AssigneeMe
	for _, r := range c.settings.Routes {
		needs = needs || c.settings.Effective(r).Assignee == tracker.AssigneeMe
	}
	if !needs {
		return "", nil
	}
	return c.ViewerID(ctx)
}

func itoa(n int) string { return strconv.Itoa(n) }

// jqlString quotes a value for JQL.
func jqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func issuePath(idOrKey string, rest ...string) string {
	return "/rest/api/3/issue/" + urlPathEscape(idOrKey) + strings.Join(rest, "")
}
