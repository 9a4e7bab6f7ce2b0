package metrics

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/symphony-go/symphony/internal/prwatch"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// prWatchStore opens a real store with two review rows waiting out the cooldown and one CI
// row whose fix was requested.
func prWatchStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{StateRoot: t.TempDir(), Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, w := range []store.PRWatch{
		{RepoKey: "app", IssueID: "1", Poller: "review", Phase: "cooling_down"},
		{RepoKey: "app", IssueID: "2", Poller: "review", Phase: "cooling_down"},
		{RepoKey: "app", IssueID: "2", Poller: "ci", Phase: "ci_fix_requested"},
	} {
		w.Record = json.RawMessage(`{}`)
		if err := st.PutPRWatch(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestPullRequestGaugesCountTheStoreRowsAndEventsAreCounted(t *testing.T) {
	m := New(Options{})
	if _, ok := samples(t, m)[`symphony_pull_requests_watched{phase="cooling_down",poller="review"}`]; ok {
		t.Fatal("the pull-request gauge is exposed before WatchPullRequests")
	}
	m.WatchPullRequests(prWatchStore(t))
	m.OnPREvent(prwatch.Event{Kind: "rework_requested"})
	m.OnPREvent(prwatch.Event{Kind: "ci_escalated"})
	m.OnPREvent(prwatch.Event{Kind: "ci_escalated"})
	m.OnPREvent(prwatch.Event{Kind: "invented"})
	got := samples(t, m)
	for name, want := range map[string]float64{
		`symphony_pull_requests_watched{phase="cooling_down",poller="review"}`: 2,
		`symphony_pull_requests_watched{phase="ci_fix_requested",poller="ci"}`: 1,
		`symphony_pull_request_events_total{kind="rework_requested"}`:          1,
		`symphony_pull_request_events_total{kind="ci_escalated"}`:              2,
		`symphony_pull_request_events_total{kind="conflict_requested"}`:        0,
		`symphony_pull_request_events_total{kind="other"}`:                     1,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
}
