package linear

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name    string
		fault   lineartest.Fault
		apiKey  string
		timeout time.Duration
		code    tracker.Code
		inMsg   string
	}{
		{name: "HTTP 500", fault: lineartest.Fault{Status: 500}, code: tracker.CodeStatus, inMsg: "HTTP 500"},
		{name: "HTTP 401 from a wrong key", apiKey: "lin_api_wrong", code: tracker.CodeStatus, inMsg: "issues.linear.api_key"},
		{name: "GraphQL errors", fault: lineartest.Fault{GraphQLErrors: []string{"Something broke"}}, code: tracker.CodeGraphQL, inMsg: "Something broke"},
		{name: "malformed JSON", fault: lineartest.Fault{Body: `{"data": {"issues": `}, code: tracker.CodeUnknownPayload, inMsg: "not JSON"},
		{name: "no data", fault: lineartest.Fault{NoData: true}, code: tracker.CodeUnknownPayload, inMsg: "no data"},
		{name: "wrong data shape", fault: lineartest.Fault{Body: `{"data": {"issues": {"nodes": 7}}}`}, code: tracker.CodeUnknownPayload},
		{name: "broken page chain", fault: lineartest.Fault{MissingEndCursor: true}, code: tracker.CodeMissingEndCursor, inMsg: "endCursor"},
		{name: "slow response", fault: lineartest.Fault{Delay: 2 * time.Second}, timeout: 200 * time.Millisecond, code: tracker.CodeRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			srv.AddTeam(lineartest.Team{Key: "ENG"})
			for range 60 {
				srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
			}
			srv.Inject(tt.fault)
			key := lineartest.APIKey
			if tt.apiKey != "" {
				key = tt.apiKey
			}
			opts := Options{Endpoint: srv.URL, APIKey: key, Settings: settings(tracker.Route{Key: "web", Team: "ENG"})}
			if tt.timeout > 0 {
				opts.HTTPClient = &http.Client{Timeout: tt.timeout}
			}
			c, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.FetchCandidates(ctx(t))
			if !tracker.IsCode(err, tt.code) {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
			if len(got.Dispatchable) != 0 || len(got.Conflicts) != 0 {
				t.Fatalf("a failed poll returned issues: %+v", got)
			}
			if !strings.Contains(err.Error(), tt.inMsg) || !strings.Contains(err.Error(), "repository web") {
				t.Fatalf("message %q should name the route and contain %q", err, tt.inMsg)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("error message leaks the API key: %q", err)
			}
		})
	}
}

func TestTransportErrorIsNotNoIssues(t *testing.T) {
	srv := newFake(t)
	c, err := New(Options{Endpoint: srv.URL + "/nowhere", APIKey: "k", Settings: settings(tracker.Route{Key: "web", Team: "ENG"})})
	if err != nil {
		t.Fatal(err)
	}
	c.endpoint = "http://127.0.0.1:1/graphql"
	_, err = c.FetchIssueStatesByIDs(ctx(t), []string{"a"})
	if !tracker.IsCode(err, tracker.CodeRequest) {
		t.Fatalf("connection refused: err = %v, want %s", err, tracker.CodeRequest)
	}
}

func TestRateLimitBackOff(t *testing.T) {
	srv := newFake(t)
	srv.AddTeam(lineartest.Team{Key: "ENG"})
	srv.AddIssue(lineartest.Issue{TeamKey: "ENG"})
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c, err := New(Options{Endpoint: srv.URL, APIKey: lineartest.APIKey, Settings: settings(tracker.Route{Key: "web", Team: "ENG"}), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	reset := now.Add(10 * time.Minute).Truncate(time.Millisecond)

	t.Run("spent budget stops requests until reset", func(t *testing.T) {
		srv.SetRateLimit(2, reset)
		for i := range 2 {
			if _, err := c.FetchCandidates(ctx(t)); err != nil {
				t.Fatalf("poll %d within budget: %v", i, err)
			}
		}
		before := srv.RequestCount("")
		for range 5 {
			_, err := c.FetchCandidates(ctx(t))
			assertRateLimited(t, err, reset)
		}
		if sent := srv.RequestCount("") - before; sent != 0 {
			t.Fatalf("client sent %d requests while the budget was spent", sent)
		}
		now = reset.Add(time.Second)
		srv.SetRateLimit(100, now.Add(time.Hour))
		if _, err := c.FetchCandidates(ctx(t)); err != nil {
			t.Fatalf("after reset: %v", err)
		}
	})

	t.Run("RATELIMITED error with reset header", func(t *testing.T) {
		reset := now.Add(5 * time.Minute).Truncate(time.Millisecond)
		srv.Inject(lineartest.Fault{Times: 1, Status: 400, Header: http.Header{"X-Ratelimit-Requests-Reset": {strconv.FormatInt(reset.UnixMilli(), 10)}},
			Body: `{"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATELIMITED"}}]}`})
		_, err := c.FetchCandidates(ctx(t))
		assertRateLimited(t, err, reset)
		before := srv.RequestCount("")
		_, err = c.FetchCandidates(ctx(t))
		assertRateLimited(t, err, reset)
		if srv.RequestCount("") != before {
			t.Fatal("client retried inside the rate-limit window")
		}
		now = reset
	})

	t.Run("HTTP 429 with Retry-After", func(t *testing.T) {
		srv.Inject(lineartest.Fault{Times: 1, Status: 429, Header: http.Header{"Retry-After": {"30"}}})
		_, err := c.FetchCandidates(ctx(t))
		assertRateLimited(t, err, now.Add(30*time.Second))
		now = now.Add(31 * time.Second)
		if _, err := c.FetchCandidates(ctx(t)); err != nil {
			t.Fatalf("after Retry-After: %v", err)
		}
	})
}

func assertRateLimited(t *testing.T, err error, reset time.Time) {
	t.Helper()
	var te *tracker.Error
	if !tracker.IsCode(err, tracker.CodeRateLimited) {
		t.Fatalf("err = %v, want %s", err, tracker.CodeRateLimited)
	}
	te = err.(*tracker.Error)
	if !te.ResetAt.Equal(reset) {
		t.Fatalf("ResetAt = %v, want %v", te.ResetAt, reset)
	}
	if !strings.Contains(err.Error(), reset.UTC().Format(time.RFC3339)) {
		t.Fatalf("message %q should say when to retry", err)
	}
}
