package githubtest

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

func get(t *testing.T, s *Server, path, auth string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestAuthorization(t *testing.T) {
	s := NewServer(t, Options{})
	tests := []struct {
		auth   string
		status int
	}{
		{auth: "", status: http.StatusUnauthorized},
		{auth: "Bearer wrong", status: http.StatusUnauthorized},
		{auth: Token, status: http.StatusUnauthorized},
		{auth: "Bearer " + Token, status: http.StatusOK},
		{auth: "token " + Token, status: http.StatusOK},
	}
	for _, tt := range tests {
		if resp, body := get(t, s, "/user", tt.auth); resp.StatusCode != tt.status {
			t.Errorf("Authorization %q: %d %s, want %d", tt.auth, resp.StatusCode, body, tt.status)
		}
	}
}

func TestFaultsMatchPathAndWearOff(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r"})
	s.Inject(Fault{Path: "/repos/o/*", Times: 2, Status: http.StatusServiceUnavailable})
	auth := "Bearer " + Token
	steps := []struct {
		path   string
		status int
	}{
		{"/user", http.StatusOK},
		{"/repos/o/r", http.StatusServiceUnavailable},
		{"/repos/o/r", http.StatusServiceUnavailable},
		{"/repos/o/r", http.StatusOK},
	}
	for i, step := range steps {
		if resp, body := get(t, s, step.path, auth); resp.StatusCode != step.status {
			t.Fatalf("step %d %s: %d %s, want %d", i, step.path, resp.StatusCode, body, step.status)
		}
	}
	if n := s.RequestCount("GET /repos/o/r"); n != 3 {
		t.Errorf("logged %d requests to /repos/o/r, want 3", n)
	}
}

func TestPrimaryRateLimitFaultHeaders(t *testing.T) {
	s := NewServer(t, Options{})
	reset := time.Unix(1_900_000_000, 0)
	s.Inject(Fault{PrimaryRateLimit: true, ResetAt: reset, Times: 1})
	resp, body := get(t, s, "/user", "Bearer "+Token)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-RateLimit-Remaining") != "0" ||
		resp.Header.Get("X-RateLimit-Reset") != "1900000000" || !strings.Contains(body, "API rate limit exceeded") {
		t.Errorf("got %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

func TestPullRequestHeadFollowsItsBranch(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r", Branches: map[string]string{"feature": "aaaa"}})
	s.AddPullRequest("o/r", PullRequest{Title: "t", Head: "feature"})
	s.SetBranch("o/r", "feature", "bbbb")
	_, body := get(t, s, "/repos/o/r/pulls/1", "Bearer "+Token)
	var pr struct {
		Head struct {
			SHA string `json:"sha"`
		} `json:"head"`
	}
	if err := json.Unmarshal([]byte(body), &pr); err != nil || pr.Head.SHA != "bbbb" {
		t.Errorf("head sha = %q (%v), want the pushed bbbb", pr.Head.SHA, err)
	}
}

func TestListPullsFiltersByStateAndHead(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r", Branches: map[string]string{"a": "1", "b": "2"}})
	s.AddPullRequest("o/r", PullRequest{Title: "open a", Head: "a"})
	s.AddPullRequest("o/r", PullRequest{Title: "closed a", Head: "a", State: StateClosed})
	s.AddPullRequest("o/r", PullRequest{Title: "merged b", Head: "b", State: StateMerged})
	s.AddPullRequest("o/r", PullRequest{Title: "fork a", Head: "a", HeadRepo: "x/r"})
	tests := []struct {
		query string
		want  []string
	}{
		{query: "", want: []string{"fork a", "open a"}},
		{query: "?state=closed", want: []string{"merged b", "closed a"}},
		{query: "?state=all&head=o:a", want: []string{"closed a", "open a"}},
		{query: "?state=all&head=x:a", want: []string{"fork a"}},
	}
	for _, tt := range tests {
		_, body := get(t, s, "/repos/o/r/pulls"+tt.query, "Bearer "+Token)
		var prs []struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(body), &prs); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range prs {
			got = append(got, p.Title)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("pulls%s = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestSyncBranchesFromGit(t *testing.T) {
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	testenv.Git(t, dir, "checkout", "-q", "-b", "symphony/eng-1")
	testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "two")
	want := testenv.GitOutput(t, dir, "rev-parse", "HEAD")

	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r", Branches: map[string]string{"fake-only": "ffff"}})
	if err := s.SyncBranchesFromGit("o/r", dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Branch("o/r", "symphony/eng-1"); got != want {
		t.Errorf("branch symphony/eng-1 = %q, want %q", got, want)
	}
	if got, _ := s.Branch("o/r", "fake-only"); got != "ffff" {
		t.Errorf("a branch only the fake knows was dropped: %q", got)
	}
	if err := s.SyncBranchesFromGit("o/r", filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing git directory was accepted")
	}
}

func TestUpdatePullRequest(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r", Branches: map[string]string{"a": "1"}})
	s.AddPullRequest("o/r", PullRequest{Title: "t", Head: "a"})
	s.UpdatePullRequest("o/r", 1, func(p *PullRequest) { p.State = StateMerged })
	_, body := get(t, s, "/repos/o/r/pulls/1", "Bearer "+Token)
	var pr struct {
		State  string `json:"state"`
		Merged bool   `json:"merged"`
	}
	if err := json.Unmarshal([]byte(body), &pr); err != nil || pr.State != "closed" || !pr.Merged {
		t.Errorf("merged PR served as %+v (%v), want state closed and merged true, as GitHub does", pr, err)
	}
}

// TestListingsLeaveOutTheMergeFields: GitHub answers listings (and a review request) with
// pull-request-simple, which has no merged, mergeable or mergeable_state; only a single pull
// request's answer carries them.
func TestListingsLeaveOutTheMergeFields(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddRepository(Repository{Owner: "o", Name: "r", Branches: map[string]string{"a": "1"}})
	yes := true
	s.AddPullRequest("o/r", PullRequest{Title: "t", Head: "a", Mergeable: &yes, MergeableState: "clean"})
	_, list := get(t, s, "/repos/o/r/pulls", "Bearer "+Token)
	_, one := get(t, s, "/repos/o/r/pulls/1", "Bearer "+Token)
	for _, key := range []string{`"merged"`, `"mergeable"`, `"mergeable_state"`} {
		if strings.Contains(list, key) {
			t.Errorf("the listing carries %s: %s", key, list)
		}
		if !strings.Contains(one, key) {
			t.Errorf("the pull request's own answer lacks %s: %s", key, one)
		}
	}
}
