package lineartest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder stands in for the test so the fake's complaints can be asserted instead of
// failing this test.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) complaints() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

func post(t *testing.T, url, key, op, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": op, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("fake answered with non-JSON: %v", err)
	}
	return resp.StatusCode, out
}

func TestRejectsOperationsOutsideSchema(t *testing.T) {
	schema := Schema(t)
	tests := []struct {
		name, op, query string
		vars            map[string]any
		complaint       string
	}{
		{"unknown field", "Q", `query Q { viewer { id nickname } }`, nil, "nickname"},
		{"unknown argument", "Q", `query Q { issues(where: {}) { nodes { id } } }`, nil, "where"},
		{"wrong variable type for ids", "Q", `query Q($ids: [String!]!) { issues(filter: {id: {in: $ids}}) { nodes { id } } }`, map[string]any{"ids": []string{"a"}}, "ids"},
		{"variable value of the wrong type", "Q", `query Q($first: Int!) { issues(first: $first) { nodes { id } } }`, map[string]any{"first": "fifty"}, "first"},
		{"operation name not in document", "Other", `query Q { viewer { id } }`, nil, "Other"},
		{"syntax error", "Q", `query Q { viewer { id }`, nil, "Q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			srv := NewServer(rec, schema, Options{})
			status, body := post(t, srv.URL, APIKey, tt.op, tt.query, tt.vars)
			if status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %v", status, body)
			}
			if !strings.Contains(fmt.Sprint(body), "GRAPHQL_VALIDATION_FAILED") {
				t.Fatalf("body %v lacks the validation error code", body)
			}
			if got := rec.complaints(); !strings.Contains(got, tt.complaint) {
				t.Fatalf("fake should fail the test naming %q; complained %q", tt.complaint, got)
			}
			if got := srv.Rejected(); len(got) != 1 || !strings.Contains(got[0], tt.complaint) {
				t.Fatalf("Rejected() = %q, want the one rejection naming %q", got, tt.complaint)
			}
		})
	}
}

func TestAnswersExactlyTheSelection(t *testing.T) {
	srv := NewServer(t, Schema(t), Options{ViewerID: "user-42"})
	srv.AddTeam(Team{Key: "ENG"})
	srv.AddIssue(Issue{TeamKey: "ENG", Title: "One", Labels: []string{"Bug"}})
	status, body := post(t, srv.URL, APIKey, "Q",
		`query Q($f: IssueFilter) { viewer { id } issues(filter: $f) { nodes { title lbl: labels { nodes { name } } } } }`,
		map[string]any{"f": map[string]any{"labels": map[string]any{"some": map[string]any{"name": map[string]any{"eqIgnoreCase": "bug"}}}}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	got, _ := json.Marshal(body["data"])
	want := `{"issues":{"nodes":[{"lbl":{"nodes":[{"name":"Bug"}]},"title":"One"}]},"viewer":{"id":"user-42"}}`
	if string(got) != want {
		t.Fatalf("data = %s\nwant   %s", got, want)
	}
}

func TestUnimplementedFilterIsReported(t *testing.T) {
	rec := &recorder{TB: t}
	srv := NewServer(rec, Schema(t), Options{})
	srv.AddTeam(Team{Key: "ENG"})
	srv.AddIssue(Issue{TeamKey: "ENG"})
	_, body := post(t, srv.URL, APIKey, "Q", `query Q { issues(filter: {priority: {eq: 1}}) { nodes { id } } }`, nil)
	if !strings.Contains(fmt.Sprint(body["errors"]), "IssueFilter.priority") || !strings.Contains(rec.complaints(), "IssueFilter.priority") {
		t.Fatalf("a filter the fake cannot evaluate must fail loudly; body %v, complaints %q", body, rec.complaints())
	}
	if r := srv.Rejected(); len(r) != 1 || !strings.Contains(r[0], "IssueFilter.priority") {
		t.Fatalf("Rejected() = %q, want the unimplemented filter", r)
	}
}

func TestRecordsMutationsAndNoRejectionForValidRequests(t *testing.T) {
	srv := NewServer(t, Schema(t), Options{})
	team := srv.AddTeam(Team{Key: "ENG"})
	is := srv.AddIssue(Issue{TeamKey: "ENG"})
	review := team.States[2]
	post(t, srv.URL, APIKey, "M", `mutation M($id: String!, $s: String!) { issueUpdate(id: $id, input: {stateId: $s}) { success } }`,
		map[string]any{"id": is.ID, "s": review.ID})
	post(t, srv.URL, APIKey, "C", `mutation C { commentCreate(input: {issueId: "`+is.ID+`", body: "hi"}) { success } }`, nil)
	got := fmt.Sprintf("%+v", srv.Mutations())
	want := fmt.Sprintf("[{Field:issueUpdate ID:%s Input:map[stateId:%s]} {Field:commentCreate ID: Input:map[body:hi issueId:%s]}]", is.ID, review.ID, is.ID)
	if got != want {
		t.Fatalf("Mutations() = %s\nwant        %s", got, want)
	}
	if r := srv.Rejected(); len(r) != 0 {
		t.Fatalf("valid requests were rejected: %q", r)
	}
}

func TestRequiresAPIKey(t *testing.T) {
	srv := NewServer(t, Schema(t), Options{})
	status, _ := post(t, srv.URL, "wrong", "Q", `query Q { viewer { id } }`, nil)
	if status != http.StatusUnauthorized {
		t.Fatalf("wrong key: status %d, want 401", status)
	}
}

func TestPaginationHonoursFirstAndAfter(t *testing.T) {
	srv := NewServer(t, Schema(t), Options{})
	srv.AddTeam(Team{Key: "ENG"})
	for range 3 {
		srv.AddIssue(Issue{TeamKey: "ENG"})
	}
	const q = `query Q($first: Int!, $after: String) { issues(first: $first, after: $after) { nodes { identifier } pageInfo { hasNextPage endCursor } } }`
	var seen []string
	var after any
	for page := 0; ; page++ {
		_, body := post(t, srv.URL, APIKey, "Q", q, map[string]any{"first": 2, "after": after})
		issues := body["data"].(map[string]any)["issues"].(map[string]any)
		for _, n := range issues["nodes"].([]any) {
			seen = append(seen, n.(map[string]any)["identifier"].(string))
		}
		info := issues["pageInfo"].(map[string]any)
		if info["hasNextPage"] != true {
			break
		}
		if page > 3 {
			t.Fatal("page chain does not end")
		}
		after = info["endCursor"]
	}
	if strings.Join(seen, ",") != "ENG-1,ENG-2,ENG-3" {
		t.Fatalf("pages of 2 returned %v", seen)
	}
	if n := srv.RequestCount("Q"); n != 2 {
		t.Fatalf("3 issues at 2 per page took %d requests, want 2", n)
	}
	_, body := post(t, srv.URL, APIKey, "Q", `query Q { issues(first: 1) { nodes { identifier } } }`, nil)
	if got := fmt.Sprint(body["data"]); got != "map[issues:map[nodes:[map[identifier:ENG-1]]]]" {
		t.Fatalf("literal first: 1 returned %s", got)
	}
}
