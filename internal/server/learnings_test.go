package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// withLearnings gives the server a real store holding two rules of "web" and one of "api";
// the newest rule of web tries to break out of the page's markup.
func withLearnings(t *testing.T) func(*Options) {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{StateRoot: t.TempDir(), Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rules := []struct{ repo, rule string }{
		{"web", "Keep handlers small."},
		{"api", "Version every endpoint."},
		{"web", `Quote user input.</td><script>alert(1)</script>`},
	}
	for i, r := range rules {
		l := store.Learning{ID: "lrn_" + string(rune('a'+i)), RepoKey: r.repo, Rule: r.rule, Tags: []string{"style", "review"},
			EvidenceQuote: "as asked in review", IssueIdentifier: "ENG-1", PRURL: "https://github.com/acme/" + r.repo + "/pull/1", CreatedAt: epoch}
		prURL := "https://github.com/acme/" + r.repo + "/pull/" + string(rune('1'+i))
		if _, err := st.RecordLearnings(context.Background(), r.repo, prURL, store.CaptureStored, []store.Learning{l}, 10); err != nil {
			t.Fatal(err)
		}
	}
	return func(o *Options) { o.Learnings = st }
}

func TestLearningsAPIListsAndFiltersByRepository(t *testing.T) {
	env := newTestEnv(t, withLearnings(t))
	rec := do(env.srv.Handler(), "GET", "/api/v1/learnings?repo=web&limit=5", "", nil)
	var doc Learnings
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		t.Fatalf("GET /api/v1/learnings: %d %s", rec.Code, rec.Body)
	}
	if doc.Count != 2 || doc.Filters.Repo != "web" || doc.Filters.Limit != 5 || doc.Learnings[1].Rule != "Keep handlers small." ||
		doc.Learnings[0].RepoKey != "web" || len(doc.Learnings[0].Tags) != 2 {
		t.Fatalf("learnings of web: %+v", doc)
	}
	if !strings.Contains(rec.Body.String(), `"evidence_quote": "as asked in review"`) {
		t.Errorf("the document does not use snake_case fields: %s", rec.Body)
	}
	for _, bad := range []string{"?limit=0", "?limit=1001", "?repository=web"} {
		rec := do(env.srv.Handler(), "GET", "/api/v1/learnings"+bad, "", nil)
		if rec.Code != 400 || errorCode(t, rec) != codeInvalidLearningsFilter {
			t.Errorf("GET /api/v1/learnings%s: %d %s", bad, rec.Code, rec.Body)
		}
	}
}

func TestLearningsPageShowsRulesAsText(t *testing.T) {
	env := newTestEnv(t, withLearnings(t))
	body := getPage(t, env, "/learnings", 200)
	if strings.Count(body, "<tr data-id=") != 3 || !strings.Contains(body, "Version every endpoint.") {
		t.Fatalf("/learnings does not list the three rules:\n%s", body)
	}
	if strings.Contains(body, "<script>alert(1)</script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("a rule's markup reached the page unescaped:\n%s", body)
	}
	web := getPage(t, env, "/learnings?repo=web", 200)
	if strings.Count(web, "<tr data-id=") != 2 || strings.Contains(web, "Version every endpoint.") {
		t.Errorf("/learnings?repo=web:\n%s", web)
	}
	if bad := getPage(t, env, "/learnings?limit=x", 400); !strings.Contains(bad, "limit must be a whole number") {
		t.Errorf("a bad limit is not explained:\n%s", bad)
	}
	if rec := do(newTestEnv(t).srv.Handler(), "GET", "/learnings", "", nil); rec.Code != 404 {
		t.Errorf("a server without a learnings store answers /learnings with %d", rec.Code)
	}
}
