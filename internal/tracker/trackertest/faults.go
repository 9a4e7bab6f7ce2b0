package trackertest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv/fakefault"
	"github.com/symphony-go/symphony/internal/tracker"
)

// FaultKind is a failure the contract asks a provider's fake to produce, in the provider's
// own wire format.
type FaultKind int

const (
	// FaultUnauthorized answers HTTP 401.
	FaultUnauthorized FaultKind = iota + 1
	// FaultForbidden answers HTTP 403 that is not a rate limit.
	FaultForbidden
	// FaultServerError answers HTTP 500.
	FaultServerError
	// FaultMalformed answers 200 with a body that is not valid JSON.
	FaultMalformed
	// FaultHang sends no answer until the client gives up.
	FaultHang
	// FaultRateLimited is the provider's rate-limit refusal asking the client to wait
	// RateLimitWait (HTTP 429 with Retry-After, or the provider's own headers).
	FaultRateLimited
)

func (k FaultKind) String() string {
	return [...]string{"", "HTTP 401", "HTTP 403", "HTTP 500", "malformed JSON", "no answer", "rate limited"}[k]
}

// RateLimitWait is the wait a FaultRateLimited answer asks for.
const RateLimitWait = 30 * time.Second

// RequestTimeout is the per-request timeout Faults.New must give the tracker, so FaultHang
// ends quickly.
const RequestTimeout = 300 * time.Millisecond

// Faults adapts a provider whose backend can fail.
type Faults struct {
	// New is Fixture.New for a tracker that reads the time from now and gives up on a request
	// after RequestTimeout, returning the fake's controls.
	New func(t *testing.T, seeds []Seed, now func() time.Time) (tracker.Tracker, Fake)
	// Request, Status and Response are the provider's codes for a request that got no
	// answer, an answer refusing it, and an answer that cannot be read.
	Request, Status, Response tracker.Code
}

// Fake controls a provider's fake backend.
type Fake struct {
	// Inject makes the fake fail: FaultRateLimited once, every other kind on every request
	// from then on (so client retries cannot hide it).
	Inject func(FaultKind)
	// Requests counts the requests the fake has received.
	Requests func() int
}

// clock is a settable time source shared by a tracker and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func runFaults(t *testing.T, f Fixture, seeds []Seed) {
	t.Run("errors mapped to tracker codes", func(t *testing.T) {
		if f.Faults == nil {
			t.Skip("this tracker has no server whose answers could fail")
		}
		tests := []struct {
			kind FaultKind
			code tracker.Code
			auth bool
		}{
			{FaultUnauthorized, f.Faults.Status, true},
			{FaultForbidden, f.Faults.Status, true},
			{FaultServerError, f.Faults.Status, false},
			{FaultMalformed, f.Faults.Response, false},
			{FaultHang, f.Faults.Request, false},
		}
		for _, tt := range tests {
			t.Run(tt.kind.String(), func(t *testing.T) {
				c := &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
				tr, fake := f.Faults.New(t, seeds, c.Now)
				fake.Inject(tt.kind)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				got, err := tr.FetchCandidates(ctx)
				if !tracker.IsCode(err, tt.code) {
					t.Fatalf("candidates: err = %v, want code %s", err, tt.code)
				}
				if len(got.Dispatchable)+len(got.Conflicts) != 0 {
					t.Fatalf("a failed poll returned issues: %+v", got)
				}
				if errors.Is(err, tracker.ErrAuthRejected) != tt.auth {
					t.Fatalf("candidates: auth rejected = %v, want %v (%v)", !tt.auth, tt.auth, err)
				}
				if _, err := tr.FetchIssueStatesByIDs(ctx, []string{f.MissingID}); !tracker.IsCode(err, tt.code) {
					t.Fatalf("refresh by id: err = %v, want code %s (a failure is not an unknown id)", err, tt.code)
				}
			})
		}
	})

	t.Run("rate-limit back-off", func(t *testing.T) {
		if f.Faults == nil {
			t.Skip("this tracker has no server that could rate-limit it")
		}
		c := &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		tr, fake := f.Faults.New(t, seeds, c.Now)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		fake.Inject(FaultRateLimited)
		want := c.Now().Add(RateLimitWait)
		_, err := tr.FetchCandidates(ctx)
		assertRateLimited(t, err, want)
		sent := fake.Requests()
		c.advance(RateLimitWait / 2)
		for range 5 {
			_, err := tr.FetchCandidates(ctx)
			assertRateLimited(t, err, want)
			if _, err := tr.FetchIssueStatesByIDs(ctx, []string{f.MissingID}); !tracker.IsCode(err, tracker.CodeRateLimited) {
				t.Fatalf("refresh inside the wait: err = %v, want %s", err, tracker.CodeRateLimited)
			}
		}
		if extra := fake.Requests() - sent; extra != 0 {
			t.Fatalf("the tracker sent %d requests before the wait was over", extra)
		}
		c.advance(RateLimitWait/2 + time.Second)
		got, err := tr.FetchCandidates(ctx)
		if err != nil || len(got.Dispatchable) == 0 {
			t.Fatalf("after the wait: %d candidates, %v", len(got.Dispatchable), err)
		}
	})
}

func assertRateLimited(t *testing.T, err error, resetAt time.Time) {
	t.Helper()
	var te *tracker.Error
	if !errors.As(err, &te) || te.Code != tracker.CodeRateLimited {
		t.Fatalf("err = %v, want code %s", err, tracker.CodeRateLimited)
	}
	if !te.ResetAt.Equal(resetAt) {
		t.Fatalf("ResetAt = %v, want %v", te.ResetAt, resetAt)
	}
	if !strings.Contains(err.Error(), resetAt.UTC().Format(time.RFC3339)) {
		t.Fatalf("message %q does not say when to retry", err)
	}
}

// everyRequest is a fault count no contract case reaches, so the fault outlasts retries.
const everyRequest = 1 << 20

// HTTPFaults are the answers of a fake built on fakefault for each fault the contract asks
// for, as Fake.Inject applies them: a rate limit once (with Retry-After of RateLimitWait),
// every other kind on every request.
var HTTPFaults = map[FaultKind]fakefault.Fault{
	FaultUnauthorized: {Times: everyRequest, Status: http.StatusUnauthorized},
	FaultForbidden:    {Times: everyRequest, Status: http.StatusForbidden},
	FaultServerError:  {Times: everyRequest, Status: http.StatusInternalServerError},
	FaultMalformed:    {Times: everyRequest, Malformed: true},
	FaultHang:         {Times: everyRequest, Hang: true},
	FaultRateLimited:  {Times: 1, Status: http.StatusTooManyRequests, RetryAfter: int(RateLimitWait / time.Second)},
}
