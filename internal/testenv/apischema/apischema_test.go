package apischema

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var testUser = Obj("user", Props{"login": Str, "id": Int}).Require("login", "id").Read("login")

var testIssue = Obj("issue", Props{
	"number": Int,
	"body":   Null(Str),
	"score":  Num,
	"open":   Bool,
	"user":   Null(testUser),
	"labels": ArrayOf(OneOf(Str, Obj("label", Props{"name": Str}))),
	"fields": MapOf("fields", Value),
}).Require("number", "user").Read("number")

func check(t *testing.T, doc string, s *Schema) []string {
	t.Helper()
	v, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return Check("$", v, s)
}

func TestCheckAcceptsWhatTheTableDescribes(t *testing.T) {
	doc := `{"number": 1, "body": null, "score": 1.5, "open": true, "user": {"login": "a", "id": 2},
		"labels": ["bug", {"name": "p1"}], "fields": {"anything": {"deep": [1]}}}`
	if got := check(t, doc, testIssue); len(got) != 0 {
		t.Fatalf("problems %q, want none", got)
	}
}

func TestCheckReportsEachDeparture(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown key", `{"number": 1, "user": null, "assignee": "a"}`, `$.assignee: issue has no key "assignee"`},
		{"nested unknown key", `{"number": 1, "user": {"login": "a", "id": 1, "name": "A"}}`, `$.user.name: user has no key "name"`},
		{"string for integer", `{"number": "1", "user": null}`, `$.number: string "1" where the description has integer`},
		{"fraction for integer", `{"number": 1.5, "user": null}`, `$.number: number 1.5 where the description has integer`},
		{"null not allowed", `{"number": 1, "user": null, "open": null}`, `$.open: null where the description allows none (boolean)`},
		{"array for object", `{"number": 1, "user": []}`, `$.user: array  where the description has object`},
		{"no alternative fits", `{"number": 1, "user": null, "labels": [3]}`, `$.labels[0]: number 3 matches none of string, object`},
		{"alternative with a wrong key", `{"number": 1, "user": null, "labels": [{"title": "x"}]}`, `$.labels[0].title: label has no key "title"`},
		{"required and read key missing", `{"user": null}`, `$: lacks "number", which issue requires and the client reads`},
		{"required nested key read by the client", `{"number": 1, "user": {"id": 1}}`, `$.user: lacks "login", which user requires and the client reads`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, tt.doc, testIssue)
			if len(got) != 1 || !strings.Contains(got[0], tt.want) {
				t.Fatalf("problems %q, want exactly one containing %q", got, tt.want)
			}
		})
	}
}

func TestCheckLetsRequiredKeysTheClientDoesNotReadBeAbsent(t *testing.T) {
	// id is required by the description, but nothing reads it: a fake may leave it out.
	if got := check(t, `{"number": 1, "user": {"login": "a"}}`, testIssue); len(got) != 0 {
		t.Fatalf("problems %q, want none", got)
	}
}

func TestCheckExchangesRoutesAndChecksBothBodies(t *testing.T) {
	ops := []Operation{
		{ID: "issues/update", Method: "PATCH", Path: "/repos/{owner}/{repo}/issues/{number}",
			Request: Obj("update", Props{"state": Str}), Response: testIssue},
		{ID: "issues/delete-comment", Method: "DELETE", Path: "/repos/{owner}/{repo}/issues/comments/{id}"},
	}
	exchanges := []Exchange{
		{Method: "PATCH", Path: "/repos/o/r/issues/1", RequestBody: []byte(`{"state": "closed", "lock": true}`),
			Status: 200, ResponseType: "application/json; charset=utf-8", ResponseBody: []byte(`{"number": "1", "user": null}`)},
		{Method: "DELETE", Path: "/repos/o/r/issues/comments/9", Status: 204},
		{Method: "PATCH", Path: "/repos/o/r/issues/2", RequestBody: []byte(`{"state": 1}`), Status: 422, ResponseBody: []byte(`{"message": "x", "hint": 1}`)},
		{Method: "PATCH", Path: "/repos/o/r/issues/3", Status: 404, ResponseBody: []byte(`{"message": "Not Found"}`)},
		{Method: "POST", Path: "/graphql", Status: 200, ResponseBody: []byte(`{}`)},
		{Method: "GET", Path: "/repos/o/r", Status: 200, ResponseBody: []byte(`{}`)},
	}
	failure := Obj("error", Props{"message": Str}).Require("message").Read("message")
	problems, answered := CheckExchanges(exchanges, ops, []string{"POST /graphql"}, failure)
	want := []string{
		`PATCH /repos/o/r/issues/1 request (issues/update): $.lock: update has no key "lock" in the description`,
		`PATCH /repos/o/r/issues/1 answer (issues/update): $.number: string "1" where the description has integer`,
		`PATCH /repos/o/r/issues/2 request (issues/update): $.state: number 1 where the description has string`,
		`PATCH /repos/o/r/issues/2 answer 422 (issues/update): $.hint: error has no key "hint" in the description`,
		`GET /repos/o/r: no operation of the description matches`,
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if !answered["PATCH /repos/{owner}/{repo}/issues/{number}"] || !answered["DELETE /repos/{owner}/{repo}/issues/comments/{id}"] || len(answered) != 2 {
		t.Errorf("answered %v, want the two operations that succeeded", answered)
	}
}

func TestRecorderKeepsBothBodiesAndPassesThemOn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		_, _ = w.Write([]byte(`{"echo":` + string(body) + `}`))
	}))
	defer srv.Close()
	rec := &Recorder{}
	client := &http.Client{Transport: rec}
	resp, err := client.Post(srv.URL+"/x", "application/json", strings.NewReader(`"hi"`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || string(got) != `{"echo":"hi"}` {
		t.Fatalf("client read %q (%v)", got, err)
	}
	ex := rec.Exchanges()
	if len(ex) != 1 || ex[0].Method != "POST" || ex[0].Path != "/x" || string(ex[0].RequestBody) != `"hi"` ||
		ex[0].Status != 200 || ex[0].ResponseType != "application/json" || string(ex[0].ResponseBody) != `{"echo":"hi"}` {
		t.Fatalf("recorded %+v", ex)
	}
}

func TestSameRouteIgnoresParameterNamesOnly(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"GET /repos/{owner}/{repo}/pulls/{number}", "GET /repos/{owner}/{repo}/pulls/{pull_number}", true},
		{"GET /repos/{owner}/{repo}/pulls/{number}", "PATCH /repos/{owner}/{repo}/pulls/{pull_number}", false},
		{"GET /repos/{owner}/{repo}/issues/comments/{id}", "GET /repos/{owner}/{repo}/issues/{number}/comments", false},
		{"GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/pulls", false},
	}
	for _, tt := range tests {
		if got := SameRoute(tt.a, tt.b); got != tt.want {
			t.Errorf("SameRoute(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
