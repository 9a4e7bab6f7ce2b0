package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// secondaryLimitDefaultWait is how long GitHub asks clients to back off from a secondary limit
// that comes without Retry-After ("wait at least one minute").
const secondaryLimitDefaultWait = time.Minute

// maxRateLimitRetries bounds how often one request waits out a rate limit, so a server that
// keeps refusing cannot hold a caller forever.
const maxRateLimitRetries = 3

// errorBodyLimit bounds how much of a refusal's body is read to tell its kind.
const errorBodyLimit = 64 << 10

// policyTransport adds the token and applies the per-request timeout, the 5xx retry and the
// rate-limit policy to every API request (REST and GraphQL).
type policyTransport struct {
	opts Options

	mu sync.Mutex
	// exhaustedUntil is the reset time of a primary limit whose budget a response reported
	// spent; requests before it wait (or fail) without reaching GitHub.
	exhaustedUntil time.Time
}

func (t *policyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	retries, limitWaits := 0, 0
	for {
		if err := t.waitForPrimaryReset(ctx); err != nil {
			return nil, err
		}
		resp, err := t.send(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, &Error{Code: CodeTimeout, Message: fmt.Sprintf("no response within %s", t.opts.Timeout), err: err}
			}
			if retries < t.opts.MaxRetries && replayable(req) {
				if err := t.opts.Sleep(ctx, t.backoff(retries)); err != nil {
					return nil, err
				}
				retries++
				continue
			}
			return nil, &Error{Code: CodeUnavailable, Message: "no response", err: err}
		}
		t.notePrimaryBudget(resp.Header)

		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests {
			wait, reset, limited := t.rateLimitWait(resp)
			if limited {
				discard(resp)
				if wait > t.opts.MaxRateLimitWait {
					t.holdUntil(reset)
					return nil, &Error{Code: CodeRateLimited, Status: resp.StatusCode, ResetAt: reset,
						Message: fmt.Sprintf("rate limited; waiting %s would exceed the %s bound", wait.Round(time.Second), t.opts.MaxRateLimitWait)}
				}
				if limitWaits >= maxRateLimitRetries {
					t.holdUntil(reset)
					return nil, &Error{Code: CodeRateLimited, Status: resp.StatusCode, ResetAt: reset,
						Message: fmt.Sprintf("still rate limited after waiting %d times", limitWaits)}
				}
				if err := t.opts.Sleep(ctx, wait); err != nil {
					return nil, err
				}
				limitWaits++
				continue
			}
		}
		if resp.StatusCode >= 500 && retries < t.opts.MaxRetries && replayable(req) {
			discard(resp)
			if err := t.opts.Sleep(ctx, t.backoff(retries)); err != nil {
				return nil, err
			}
			retries++
			continue
		}
		return resp, nil
	}
}

// send makes one attempt under its own timeout, which ends when the caller closes the body, so
// a response can be read after RoundTrip returns.
func (t *policyTransport) send(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.opts.Timeout)
	attempt := req.Clone(ctx)
	if req.Body != nil && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, err
		}
		attempt.Body = body
	}
	attempt.Header.Set("Authorization", "Bearer "+t.opts.Token)
	if attempt.Header.Get("Accept") == "" {
		attempt.Header.Set("Accept", "application/vnd.github+json")
	}
	resp, err := t.opts.Transport.RoundTrip(attempt)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// replayable reports whether a request may be sent again after a 5xx or a lost connection: a
// POST to REST may have taken effect (a comment posted twice), so only reads, idempotent
// writes and GraphQL (whose only mutation here is idempotent) are retried.
func replayable(req *http.Request) bool {
	if req.Body != nil && req.GetBody == nil {
		return false
	}
	if req.Method != http.MethodPost {
		return true
	}
	return strings.HasSuffix(req.URL.Path, "/graphql")
}

func (t *policyTransport) backoff(retry int) time.Duration {
	return t.opts.RetryBackoff << retry
}

// waitForPrimaryReset holds a request while a spent primary budget, or a refusal's wait, has
// not run out.
func (t *policyTransport) waitForPrimaryReset(ctx context.Context) error {
	t.mu.Lock()
	until := t.exhaustedUntil
	t.mu.Unlock()
	if until.IsZero() {
		return nil
	}
	wait := until.Sub(t.opts.Now())
	if wait <= 0 {
		return nil
	}
	if wait > t.opts.MaxRateLimitWait {
		return &Error{Code: CodeRateLimited, ResetAt: until,
			Message: fmt.Sprintf("rate limited until the reset; waiting %s would exceed the %s bound", wait.Round(time.Second), t.opts.MaxRateLimitWait)}
	}
	if err := t.opts.Sleep(ctx, wait); err != nil {
		return err
	}
	t.mu.Lock()
	if t.exhaustedUntil.Equal(until) {
		t.exhaustedUntil = time.Time{}
	}
	t.mu.Unlock()
	return nil
}

// holdUntil keeps every request back until reset after GitHub refused one for a rate limit
// (a secondary limit's Retry-After included): GitHub asks clients not to retry before then,
// and may ban an integration that keeps trying.
func (t *policyTransport) holdUntil(reset time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if reset.After(t.exhaustedUntil) {
		t.exhaustedUntil = reset
	}
}

// notePrimaryBudget remembers a spent primary budget until its reset.
func (t *policyTransport) notePrimaryBudget(h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	reset, ok := parseReset(h)
	if !ok {
		return
	}
	t.mu.Lock()
	t.exhaustedUntil = reset
	t.mu.Unlock()
}

// rateLimitWait tells a rate-limit refusal from a plain 403 and how long it asks to wait. The
// body is read for the secondary-limit message and put back for the caller.
func (t *policyTransport) rateLimitWait(resp *http.Response) (time.Duration, time.Time, bool) {
	now := t.opts.Now()
	if s := resp.Header.Get("Retry-After"); s != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && secs >= 0 {
			wait := time.Duration(secs) * time.Second
			return wait, now.Add(wait), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := parseReset(resp.Header); ok {
			wait := max(reset.Sub(now), 0)
			return wait, reset, true
		}
	}
	original := resp.Body
	body, _ := io.ReadAll(io.LimitReader(original, errorBodyLimit))
	resp.Body = &cancelOnClose{ReadCloser: io.NopCloser(bytes.NewReader(body)), cancel: func() { _ = original.Close() }}
	if strings.Contains(strings.ToLower(string(body)), "secondary rate limit") {
		return secondaryLimitDefaultWait, now.Add(secondaryLimitDefaultWait), true
	}
	return 0, time.Time{}, false
}

func parseReset(h http.Header) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// discard reads a little of a response that will not be used, so the connection can be reused,
// and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, errorBodyLimit))
	_ = resp.Body.Close()
}
