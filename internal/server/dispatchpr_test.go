package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

func TestDispatchPRRoute(t *testing.T) {
	const path = "/api/v1/control/dispatch_pr"
	cases := []struct {
		name   string
		body   string
		header http.Header
		// orchErr is what the orchestrator answers DispatchPR with.
		orchErr error
		status  int
		want    string
		// call is the DispatchPR call the orchestrator sees; empty when it sees none.
		call string
	}{
		{name: "by number", body: `{"number":7,"intent":"address the review"}`, header: bearer(), status: 202,
			want: `"issue_identifier": "PR-7"`, call: "dispatch_pr web 7 address the review"},
		{name: "by url to another repo key", body: `{"url":"https://github.com/acme/web/pull/7","repo":"api"}`, header: bearer(), status: 202,
			want: `"issue_id": "pr:api:7"`, call: "dispatch_pr api 7 "},
		{name: "no token", body: `{"number":7}`, status: 401, want: codeUnauthorized},
		{name: "foreign origin", body: `{"number":7}`, header: http.Header{"Authorization": bearer()["Authorization"], "Origin": {"https://evil.example"}},
			status: 403, want: codeForbiddenOrigin},
		{name: "neither number nor url", body: `{"intent":"x"}`, header: bearer(), status: 422, want: codeInvalidRequest},
		{name: "number and url", body: `{"number":7,"url":"https://github.com/acme/web/pull/7"}`, header: bearer(), status: 422, want: codeInvalidRequest},
		{name: "negative number", body: `{"number":-7}`, header: bearer(), status: 422, want: codeInvalidRequest},
		{name: "unknown field", body: `{"pr":7}`, header: bearer(), status: 422, want: codeInvalidRequest},
		{name: "unknown repo key", body: `{"number":7,"repo":"nope"}`, header: bearer(), status: 422, want: codeInvalidRequest},
		{name: "fork", body: `{"number":8}`, header: bearer(), status: 409, want: "pr_fork"},
		{name: "closed", body: `{"number":9}`, header: bearer(), status: 409, want: "pr_closed"},
		{name: "lookup fails", body: `{"number":404}`, header: bearer(), status: 502, want: codePRLookupFailed},
		{name: "paused", body: `{"number":7}`, header: bearer(), orchErr: &orchestrator.Refusal{Code: orchestrator.RefusedPaused, Message: "dispatch is paused"},
			status: 409, want: orchestrator.RefusedPaused, call: "dispatch_pr web 7 "},
		{name: "already running", body: `{"number":7}`, header: bearer(), orchErr: &orchestrator.Refusal{Code: orchestrator.RefusedAlreadyRunning, Message: "run r1 of PR-7"},
			status: 409, want: orchestrator.RefusedAlreadyRunning, call: "dispatch_pr web 7 "},
		{name: "no free slot", body: `{"number":7}`, header: bearer(), orchErr: &orchestrator.Refusal{Code: orchestrator.RefusedNoFreeSlot, Message: "all slots taken"},
			status: 409, want: orchestrator.RefusedNoFreeSlot, call: "dispatch_pr web 7 "},
		{name: "not running", body: `{"number":7}`, header: bearer(), orchErr: orchestrator.ErrNotRunning, status: 503, want: codeUnavailable, call: "dispatch_pr web 7 "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.orch.err = c.orchErr
			rec := do(env.srv.Handler(), "POST", path, c.body, c.header)
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
				t.Fatalf("%d %s, want %d with %s", rec.Code, rec.Body, c.status, c.want)
			}
			if c.status >= 300 && errorCode(t, rec) != c.want {
				t.Errorf("error code of %s, want %s", rec.Body, c.want)
			}
			var want []string
			if c.call != "" {
				want = []string{c.call}
			}
			if got := env.orch.Calls(); !slices.Equal(got, want) {
				t.Errorf("orchestrator calls %q, want %q", got, want)
			}
		})
	}
}

func TestDispatchPRWithoutALookupIsUnavailable(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.ResolvePR = nil })
	rec := do(env.srv.SocketHandler(), "POST", "/api/v1/control/dispatch_pr", `{"number":7}`, nil)
	if rec.Code != 503 || errorCode(t, rec) != codeUnavailable {
		t.Fatalf("%d %s, want 503 %s", rec.Code, rec.Body, codeUnavailable)
	}
	if calls := env.orch.Calls(); len(calls) != 0 {
		t.Errorf("orchestrator saw %q", calls)
	}
}
