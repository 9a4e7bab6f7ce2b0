package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Result is the outcome of one event on one channel.
type Result struct {
	Channel         string // "notifications.channels[i]"
	Kind            string // slack or webhook
	Event           string
	IssueIdentifier string
	Delivered       bool
	// Dropped is set when the event never left the queue because it was full.
	Dropped bool
	// Attempts made; Status is the last HTTP status seen (0 when no response arrived).
	Attempts int
	Status   int
	Duration time.Duration
	Err      error
}

// maxAttempts and backoff follow the reference: three tries, waiting 1 s then 2 s.
const maxAttempts = 3

var backoff = [maxAttempts - 1]time.Duration{time.Second, 2 * time.Second}

// maxRetryAfter caps how long a Slack Retry-After may hold the channel's worker.
const maxRetryAfter = time.Minute

func (c *channel) deliver(ctx context.Context, e Event) Result {
	res := Result{Channel: c.name, Kind: c.kind, Event: e.Name, IssueIdentifier: e.IssueIdentifier}
	start := c.now()
	defer func() { res.Duration = c.now().Sub(start) }()
	var payload map[string]any
	if c.kind == "slack" {
		payload = slackPayload(e, e.Time, c.redactTitles, c.clean)
	} else {
		payload = webhookPayload(e, e.Time, c.redactTitles, c.clean)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		res.Err = fmt.Errorf("encoding payload: %w", err)
		return res
	}
	for {
		res.Attempts++
		status, wait, err := c.post(ctx, body)
		res.Status, res.Err = status, err
		if err == nil {
			res.Delivered = true
			return res
		}
		if res.Attempts >= maxAttempts || !retryable(status) || ctx.Err() != nil {
			return res
		}
		if wait == 0 {
			wait = backoff[res.Attempts-1]
		}
		if err := c.sleep(ctx, wait); err != nil {
			res.Err = errors.Join(res.Err, err)
			return res
		}
	}
}

// post makes one attempt. It returns the status, how long the receiver asked us to wait
// (Slack 429 Retry-After, else 0) and an error for anything but a 2xx.
func (c *channel) post(ctx context.Context, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "symphony-notify")
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("posting to %s: %w", c.host(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	var wait time.Duration
	if c.kind == "slack" && resp.StatusCode == http.StatusTooManyRequests {
		wait = retryAfter(resp.Header.Get("Retry-After"))
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, 0, fmt.Errorf("%s answered %s redirecting to %q; redirects are not followed", c.host(), resp.Status, resp.Header.Get("Location"))
	}
	return resp.StatusCode, wait, fmt.Errorf("%s answered %s", c.host(), resp.Status)
}

// host names the receiver in errors without its path, which for Slack is the secret.
func (c *channel) host() string {
	if i := strings.Index(c.url, "://"); i >= 0 {
		rest := c.url[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	return "receiver"
}

// unwrapURLError drops *url.Error's wrapper, whose message repeats the full URL (for Slack
// the URL itself is the secret).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryable reports whether another attempt could succeed: transport errors (status 0),
// timeouts, rate limits and server errors. Redirects and other client errors will not change.
func retryable(status int) bool {
	return status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// retryAfter parses a Retry-After header in seconds, capped; 0 means absent or unusable.
func retryAfter(v string) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || secs <= 0 {
		return 0
	}
	return min(time.Duration(secs)*time.Second, maxRetryAfter)
}

func newTLSConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}
