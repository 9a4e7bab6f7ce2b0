package github

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

func TestPaginationFollowsLinkAcrossThreePages(t *testing.T) {
	f := newFixture(t, githubtest.Options{MaxPerPage: 2}, nil)
	ctx := testContext(t)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
	var want []string
	for i := range 5 {
		body := "comment " + strconv.Itoa(i)
		f.srv.AddIssueComment(testFull, githubtest.IssueComment{Number: 1, Author: "alice", Body: body})
		want = append(want, body)
	}
	comments, err := f.client.IssueComments(ctx, f.repo, 1, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range comments {
		got = append(got, c.Body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IssueComments = %v, want %v", got, want)
	}
	var pages []string
	for _, r := range f.srv.Requests() {
		if r.Path == "/repos/octo/hello/issues/1/comments" {
			pages = append(pages, r.Query.Get("page"))
		}
	}
	if want := []string{"", "2", "3"}; !reflect.DeepEqual(pages, want) {
		t.Errorf("pages requested = %q, want %q", pages, want)
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		method   string
		call     func(f *fixture) error
		requests int
		sleeps   []time.Duration
		code     string
	}{
		{name: "read retried until it succeeds", failures: 2, method: "GET",
			call:     func(f *fixture) error { _, err := f.client.PullRequest(testContext(t), f.repo, 1); return err },
			requests: 3, sleeps: []time.Duration{time.Second, 2 * time.Second}},
		{name: "read gives up after MaxRetries", failures: 10, method: "GET",
			call:     func(f *fixture) error { _, err := f.client.PullRequest(testContext(t), f.repo, 1); return err },
			requests: 4, sleeps: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, code: CodeUnavailable},
		{name: "idempotent edit retried", failures: 1, method: "PATCH",
			call: func(f *fixture) error {
				body := "b"
				_, err := f.client.EditPullRequest(testContext(t), f.repo, 1, PullRequestEdit{Body: &body})
				return err
			},
			requests: 2, sleeps: []time.Duration{time.Second}},
		{name: "POST is not replayed: the write may have happened", failures: 1, method: "POST",
			call: func(f *fixture) error {
				_, err := f.client.CreateIssueComment(testContext(t), f.repo, 1, "hi")
				return err
			},
			requests: 1, code: CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, githubtest.Options{}, nil)
			f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
			f.srv.Inject(githubtest.Fault{Method: tt.method, Path: "/repos/octo/hello/*", Times: tt.failures, Status: http.StatusBadGateway})
			err := tt.call(f)
			if ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			requests := 0
			for _, r := range f.srv.Requests() {
				if r.Method == tt.method {
					requests++
				}
			}
			if requests != tt.requests {
				t.Errorf("%s requests = %d, want %d", tt.method, requests, tt.requests)
			}
			if got := f.clock.Sleeps(); !reflect.DeepEqual(got, tt.sleeps) {
				t.Errorf("backoff sleeps = %v, want %v", got, tt.sleeps)
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(now time.Time) githubtest.Fault
		sleeps  []time.Duration
		code    string
		resetIn time.Duration
	}{
		{name: "primary limit within the bound is waited out",
			fault: func(now time.Time) githubtest.Fault {
				return githubtest.Fault{PrimaryRateLimit: true, ResetAt: now.Add(20 * time.Second), Times: 1}
			},
			sleeps: []time.Duration{20 * time.Second}},
		{name: "primary limit beyond the bound fails with the reset time",
			fault: func(now time.Time) githubtest.Fault {
				return githubtest.Fault{PrimaryRateLimit: true, ResetAt: now.Add(45 * time.Minute), Times: 1}
			},
			code: CodeRateLimited, resetIn: 45 * time.Minute},
		{name: "secondary limit with Retry-After is waited out",
			fault: func(time.Time) githubtest.Fault {
				return githubtest.Fault{SecondaryRateLimit: true, RetryAfter: 7 * time.Second, Times: 1}
			},
			sleeps: []time.Duration{7 * time.Second}},
		{name: "secondary limit as 429",
			fault: func(time.Time) githubtest.Fault {
				return githubtest.Fault{SecondaryRateLimit: true, Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second, Times: 1}
			},
			sleeps: []time.Duration{3 * time.Second}},
		{name: "secondary limit without Retry-After waits a minute",
			fault:  func(time.Time) githubtest.Fault { return githubtest.Fault{SecondaryRateLimit: true, Times: 1} },
			sleeps: []time.Duration{time.Minute}},
		{name: "secondary limit asking too long fails",
			fault: func(time.Time) githubtest.Fault {
				return githubtest.Fault{SecondaryRateLimit: true, RetryAfter: 10 * time.Minute, Times: 1}
			},
			code: CodeRateLimited, resetIn: 10 * time.Minute},
		{name: "a limit that never lifts stops after bounded waits",
			fault: func(time.Time) githubtest.Fault {
				return githubtest.Fault{SecondaryRateLimit: true, RetryAfter: time.Second}
			},
			sleeps: []time.Duration{time.Second, time.Second, time.Second}, code: CodeRateLimited, resetIn: time.Second},
		{name: "a plain 403 is forbidden, not a limit",
			fault: func(time.Time) githubtest.Fault { return githubtest.Fault{Status: http.StatusForbidden, Times: 1} },
			code:  CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, githubtest.Options{}, nil)
			start := f.clock.Now()
			f.srv.Inject(tt.fault(start))
			user, err := f.client.CurrentUser(testContext(t))
			if ErrorCode(err) != tt.code {
				t.Fatalf("CurrentUser = %+v, %v; want code %q", user, err, tt.code)
			}
			if tt.code == "" && user.Login != "symphony-bot" {
				t.Errorf("user = %+v after the wait", user)
			}
			if got := f.clock.Sleeps(); !reflect.DeepEqual(got, tt.sleeps) {
				t.Errorf("sleeps = %v, want %v", got, tt.sleeps)
			}
			var e *Error
			if tt.code == CodeRateLimited && (!errors.As(err, &e) || !e.ResetAt.Equal(f.clock.Now().Add(tt.resetIn).Truncate(time.Second))) {
				t.Errorf("ResetAt = %v, want %v", e.ResetAt, f.clock.Now().Add(tt.resetIn))
			}
		})
	}
}

func TestSpentPrimaryBudgetHoldsTheNextRequest(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.SetRateLimit(1, f.clock.Now().Add(30*time.Second))
	if _, err := f.client.CurrentUser(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CurrentUser(ctx); err != nil {
		t.Fatalf("second request after waiting for the reset: %v", err)
	}
	if got, want := f.clock.Sleeps(), []time.Duration{30 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	if n := f.srv.RequestCount("GET /user"); n != 2 {
		t.Errorf("GET /user requests = %d, want 2 (the wait happens before sending, not after a refusal)", n)
	}

	g := newFixture(t, githubtest.Options{}, nil)
	g.srv.SetRateLimit(1, g.clock.Now().Add(2*time.Hour))
	if _, err := g.client.CurrentUser(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := g.client.CurrentUser(ctx)
	if ErrorCode(err) != CodeRateLimited {
		t.Fatalf("second request with the reset two hours away: %v, want %s", err, CodeRateLimited)
	}
	if n := g.srv.RequestCount("GET /user"); n != 1 {
		t.Errorf("GET /user requests = %d, want 1: a spent budget must not be spent again", n)
	}
}

func TestTimeout(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, func(o *Options) { o.Timeout = 150 * time.Millisecond })
	f.srv.Inject(githubtest.Fault{Hang: true, Times: 1})
	started := time.Now()
	_, err := f.client.CurrentUser(testContext(t))
	elapsed := time.Since(started)
	if ErrorCode(err) != CodeTimeout {
		t.Fatalf("err = %v, want %s", err, CodeTimeout)
	}
	if elapsed > 5*time.Second {
		t.Errorf("a 150ms timeout took %s", elapsed)
	}
	if n := f.srv.RequestCount("GET /user"); n != 1 {
		t.Errorf("requests = %d, want 1: a timeout is not retried into a longer hang", n)
	}
	if _, err := f.client.CurrentUser(testContext(t)); err != nil {
		t.Errorf("the next request after a timeout: %v", err)
	}
}

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		name  string
		fault *githubtest.Fault
		token string
		code  string
		text  string
	}{
		{name: "bad token", token: "ghp_wrongTokenValue123", code: CodeUnauthorized, text: "Bad credentials"},
		{name: "404", fault: &githubtest.Fault{Status: http.StatusNotFound}, code: CodeNotFound},
		{name: "422 carries GitHub's message", fault: &githubtest.Fault{Status: http.StatusUnprocessableEntity,
			Body: `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and feature"}]}`},
			code: CodeValidation, text: "Validation Failed: No commits between main and feature"},
		{name: "malformed JSON", fault: &githubtest.Fault{MalformedJSON: true}, code: CodeBadResponse},
		{name: "418", fault: &githubtest.Fault{Status: http.StatusTeapot}, code: CodeRequestFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, githubtest.Options{}, func(o *Options) {
				if tt.token != "" {
					o.Token = tt.token
				}
			})
			f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
			if tt.fault != nil {
				f.srv.Inject(*tt.fault)
			}
			_, err := f.client.PullRequest(testContext(t), f.repo, 1)
			if ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want code %s containing %q", err, tt.code, tt.text)
			}
			if !strings.Contains(err.Error(), "octo/hello#1") {
				t.Errorf("error %q does not name the call", err)
			}
			for _, secret := range []string{githubtest.Token, tt.token} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks the token: %v", err)
				}
			}
		})
	}
}

func TestTokenGoesOnlyToTheAPI(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	if _, err := f.client.CurrentUser(testContext(t)); err != nil {
		t.Fatal(err)
	}
	requests := f.srv.Requests()
	if len(requests) != 1 || requests[0].Authorization != "Bearer "+githubtest.Token {
		t.Fatalf("requests = %+v", requests)
	}
}

func TestNewRefusesMissingTokenAndEndpoint(t *testing.T) {
	if _, err := New(Options{Endpoint: Endpoint{REST: "http://127.0.0.1:1"}}); ErrorCode(err) != CodeMissingToken {
		t.Errorf("no token: %v, want %s", err, CodeMissingToken)
	}
	if _, err := New(Options{Token: "t"}); ErrorCode(err) != CodeUnsupportedHost {
		t.Errorf("no endpoint: %v, want %s", err, CodeUnsupportedHost)
	}
	_, err := NewForHost("github.com", nil, func(string) string { return "" }, Options{})
	if ErrorCode(err) != CodeMissingToken {
		t.Errorf("NewForHost without GH_TOKEN/GITHUB_TOKEN: %v, want %s", err, CodeMissingToken)
	}
}

func TestNewForHostUsesTheEnvironmentOverride(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	env := map[string]string{"GITHUB_TOKEN": githubtest.Token, APIURLEnv: f.srv.URL}
	client, err := NewForHost("github.com", nil, func(k string) string { return env[k] }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if user, err := client.CurrentUser(testContext(t)); err != nil || user.Login != "symphony-bot" {
		t.Fatalf("CurrentUser through %s = %+v, %v", APIURLEnv, user, err)
	}
}
