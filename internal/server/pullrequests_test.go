package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// examplePRWatches opens a real store holding one review-poller and one CI-poller row of
// ENG-4's pull request, written the way the pollers write them.
func examplePRWatches(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{StateRoot: t.TempDir(), Redactor: secretscan.New(), Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pr := "https://github.com/acme/web/pull/42"
	rows := []store.PRWatch{
		{RepoKey: "web", IssueID: "id-4", Poller: "review", PRURL: pr, Phase: "rework_requested",
			Record: json.RawMessage(`{"repo_key":"web","issue_id":"id-4","identifier":"ENG-4","pr_url":"` + pr + `","phase":"rework_requested",` +
				`"target_state":"In Progress","last_action":"rework","last_action_at":"2026-12-06T11:50:00Z",` +
				`"pending_comments":[{"id":"7","kind":"comment","author":"alice","body":"rename this","created_at":"2026-12-06T11:30:00Z"}]}`)},
		{RepoKey: "web", IssueID: "id-4", Poller: "ci", PRURL: pr, Phase: "checks_pending",
			Record: json.RawMessage(`{"repo_key":"web","issue_id":"id-4","identifier":"ENG-4","pr_url":"` + pr + `","phase":"checks_pending",` +
				`"error":"GET /repos/acme/web/pulls/42: 502","consecutive_errors":3,"degraded":true,"next_poll_at":"2026-12-06T12:04:00Z","fix_attempts":1}`)},
	}
	for _, r := range rows {
		if err := st.PutPRWatch(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestStateListsThePullRequestsThePollersWatch reads the pollers' rows from a real store into
// the state document, the dashboard and the event stream.
func TestStateListsThePullRequestsThePollersWatch(t *testing.T) {
	env := newTestEnv(t)
	rec := do(env.srv.Handler(), "GET", "/api/v1/state", "", nil)
	var st State
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &st) != nil {
		t.Fatalf("state: %d %s", rec.Code, rec.Body)
	}
	if st.Counts.PullRequests != 2 || len(st.PullRequests) != 2 {
		t.Fatalf("pull requests: count %d, rows %+v", st.Counts.PullRequests, st.PullRequests)
	}
	ci, review := st.PullRequests[0], st.PullRequests[1]
	if review.Poller != "review" || review.Identifier != "ENG-4" || review.Phase != "rework_requested" || review.PendingComments != 1 ||
		review.LastAction != "rework" || !review.LastActionAt.Equal(epoch.Add(-10*time.Minute)) {
		t.Errorf("review row %+v", review)
	}
	if ci.Poller != "ci" || !ci.Degraded || ci.ConsecutiveErrors != 3 || ci.FixAttempts != 1 || !strings.Contains(ci.Error, "502") {
		t.Errorf("ci row %+v", ci)
	}
	page := getPage(t, env, "/", 200)
	body := section(t, page, "pull-requests")
	for _, want := range []string{"ENG-4", "rework_requested", "checks_pending · degraded", "1 fix", "https://github.com/acme/web/pull/42"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard's pull-requests section lacks %q:\n%s", want, body)
		}
	}
	if other := section(t, getPage(t, env, "/?repo=api", 200), "pull-requests"); strings.Contains(other, "ENG-4") {
		t.Errorf("the api repository's dashboard lists web's pull request:\n%s", other)
	}
	frame := string(stateFrame(env.srv.hub.render(env.orch.Snapshot())))
	if !strings.Contains(frame, `"phase":"checks_pending"`) {
		t.Errorf("the event stream's state lacks the pollers' rows: %s", frame)
	}
}

type failingPRWatches struct{}

func (failingPRWatches) PRWatches(context.Context, string) ([]store.PRWatch, error) {
	return nil, errors.New("database is locked")
}

// TestStateSaysWhyThePullRequestsAreMissing keeps the rest of the state when the store read
// fails, and names the failure.
func TestStateSaysWhyThePullRequestsAreMissing(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.PullRequests = failingPRWatches{} })
	rec := do(env.srv.Handler(), "GET", "/api/v1/state", "", nil)
	var st State
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &st) != nil {
		t.Fatalf("state: %d %s", rec.Code, rec.Body)
	}
	if len(st.PullRequests) != 0 || st.PullRequestsError != "database is locked" || len(st.Running) == 0 {
		t.Errorf("pull requests %+v, error %q, running %d", st.PullRequests, st.PullRequestsError, len(st.Running))
	}
}
