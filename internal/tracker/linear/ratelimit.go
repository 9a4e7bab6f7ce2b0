package linear

import (
	"net/http"
	"strconv"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
)

// Linear reports its request budget on every response; the reset header is epoch milliseconds.
const (
	headerRemaining = "X-RateLimit-Requests-Remaining"
	headerReset     = "X-RateLimit-Requests-Reset"
	// rateLimitedCode is the GraphQL error code Linear uses when a budget is spent.
	rateLimitedCode = "RATELIMITED"
	// fallbackBackoff applies when Linear refuses a request without saying when to return.
	fallbackBackoff = time.Minute
)

// checkRateLimit refuses to send while a known rate-limit window is still closed, so a
// throttled client costs Linear nothing until the reset time.
func (c *Client) checkRateLimit() error {
	c.mu.Lock()
	until := c.blockedUntil
	c.mu.Unlock()
	if until.IsZero() || !c.now().Before(until) {
		return nil
	}
	return &tracker.Error{
		Code:    tracker.CodeRateLimited,
		Msg:     "Linear rate limit exhausted; not sending until it resets",
		ResetAt: until,
	}
}

// observeRateLimit closes the window early when Linear says no requests remain.
func (c *Client) observeRateLimit(h http.Header) {
	remaining, err := strconv.Atoi(h.Get(headerRemaining))
	if err != nil || remaining > 0 {
		return
	}
	if reset, ok := resetTime(h); ok {
		c.block(reset)
	}
}

// rateLimitError recognises a refused request (HTTP 429 or a RATELIMITED GraphQL error, which
// Linear sends with HTTP 400), records the window and returns the error to report.
func (c *Client) rateLimitError(operation string, resp *http.Response, errs []graphqlError) error {
	limited := resp.StatusCode == http.StatusTooManyRequests
	for _, e := range errs {
		if e.Extensions.Code == rateLimitedCode {
			limited = true
		}
	}
	if !limited {
		return nil
	}
	// Retry-After speaks about this refusal; the reset header about the whole window.
	var (
		reset time.Time
		ok    bool
	)
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
		reset, ok = c.now().Add(time.Duration(secs)*time.Second), true
	} else {
		reset, ok = resetTime(resp.Header)
	}
	if !ok {
		reset = c.now().Add(fallbackBackoff)
	}
	c.block(reset)
	return &tracker.Error{
		Code:    tracker.CodeRateLimited,
		Msg:     operation + ": Linear rate limit reached (HTTP " + strconv.Itoa(resp.StatusCode) + ")",
		ResetAt: reset,
	}
}

func (c *Client) block(until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.blockedUntil) {
		c.blockedUntil = until
	}
}

func resetTime(h http.Header) (time.Time, bool) {
	ms, err := strconv.ParseInt(h.Get(headerReset), 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}
