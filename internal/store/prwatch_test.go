package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestPRWatchRowsAreReplacedPerPollerAndSurviveReopening(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	s := openTest(t, root)
	put := func(poller, phase, record string) {
		t.Helper()
		if err := s.PutPRWatch(ctx, PRWatch{RepoKey: "web", IssueID: "i1", Poller: poller, PRURL: "https://github.com/o/r/pull/7",
			Phase: phase, Record: json.RawMessage(record)}); err != nil {
			t.Fatal(err)
		}
	}
	put("review", "watching", `{"n":1}`)
	put("review", "rework_transition_pending", `{"n":2}`)
	put("ci", "watching", `{"n":3}`)
	s.Close()
	s = openTest(t, root)
	review, err := s.PRWatches(ctx, "review")
	if err != nil || len(review) != 1 || review[0].Phase != "rework_transition_pending" || string(review[0].Record) != `{"n":2}` || !review[0].UpdatedAt.Equal(t0) {
		t.Fatalf("review rows = %+v, %v", review, err)
	}
	all, err := s.PRWatches(ctx, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("all rows = %+v, %v", all, err)
	}
	if err := s.DeletePRWatch(ctx, "web", "i1", "review"); err != nil {
		t.Fatal(err)
	}
	if review, _ := s.PRWatches(ctx, "review"); len(review) != 0 {
		t.Fatalf("review rows after delete = %+v", review)
	}
	if ci, _ := s.PRWatches(ctx, "ci"); len(ci) != 1 {
		t.Fatalf("ci rows after deleting the review row = %+v", ci)
	}
}

// TestPRWatchKeepsItsWorkerHost: the worker host recorded with a watched pull request
// survives a reopen and is replaced by the next write, so rework and cleanup find the host
// holding the workspace.
func TestPRWatchKeepsItsWorkerHost(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	s := openTest(t, root)
	put := func(host string) {
		t.Helper()
		if err := s.PutPRWatch(ctx, PRWatch{RepoKey: "web", IssueID: "i1", Poller: "review", PRURL: "https://github.com/o/r/pull/7",
			Phase: "watching", Record: json.RawMessage(`{}`), WorkerHost: host}); err != nil {
			t.Fatal(err)
		}
	}
	put("build-1:2222")
	s.Close()
	s = openTest(t, root)
	if rows, err := s.PRWatches(ctx, "review"); err != nil || len(rows) != 1 || rows[0].WorkerHost != "build-1:2222" {
		t.Fatalf("rows after reopening = %+v, %v", rows, err)
	}
	put("[::1]:2200")
	if rows, err := s.PRWatches(ctx, ""); err != nil || len(rows) != 1 || rows[0].WorkerHost != "[::1]:2200" {
		t.Fatalf("rows after the second write = %+v, %v", rows, err)
	}
}

func TestPutPRWatchRejectsMissingKeysAndBadJSON(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	for _, tc := range []struct {
		w    PRWatch
		want string
	}{
		{PRWatch{IssueID: "i", Poller: "ci", Record: json.RawMessage(`{}`)}, "repo_key"},
		{PRWatch{RepoKey: "r", IssueID: "i", Poller: "ci", Record: json.RawMessage(`{`)}, "not valid JSON"},
	} {
		if err := s.PutPRWatch(ctx, tc.w); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PutPRWatch(%+v) = %v, want an error naming %q", tc.w, err, tc.want)
		}
	}
}
