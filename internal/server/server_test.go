package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

func TestUnknownPathsAndWrongMethodsGetEnvelopes(t *testing.T) {
	env := newTestEnv(t)
	for _, h := range []http.Handler{env.srv.Handler(), env.srv.SocketHandler()} {
		cases := []struct {
			method, path string
			status       int
			code, allow  string
		}{
			{"GET", "/nope", 404, codeNotFound, ""},
			{"GET", "/api/v1/state/extra", 404, codeNotFound, ""},
			{"GET", "/api/v2/state", 404, codeNotFound, ""},
			{"POST", "/api/v1/state", 405, codeMethodNotAllowed, "GET, HEAD"},
			{"DELETE", "/", 405, codeMethodNotAllowed, "GET, HEAD"},
			{"GET", "/api/v1/control/pause", 405, codeMethodNotAllowed, "POST"},
			{"PUT", "/api/v1/issues/ENG-1/transcript", 405, codeMethodNotAllowed, "GET, HEAD"},
			{"GET", "/metrics", 404, codeNotFound, ""},
		}
		for _, c := range cases {
			rec := do(h, c.method, c.path, "", bearer())
			if rec.Code != c.status || errorCode(t, rec) != c.code {
				t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, rec.Code, rec.Body, c.status, c.code)
			}
			if got := rec.Header().Get("Allow"); got != c.allow {
				t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
			}
		}
	}
}

func TestMetricsIsMountedWhenGiven(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "symphony_up 1\n") })
	env := newTestEnv(t, func(o *Options) { o.Metrics = metrics })
	if rec := do(env.srv.Handler(), "GET", "/metrics", "", nil); rec.Code != 200 || rec.Body.String() != "symphony_up 1\n" {
		t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Body)
	}
	if !slices.Contains(env.srv.Routes(), "GET /metrics") {
		t.Error("Routes does not list /metrics")
	}
}

func TestIssueLookupCoversEveryList(t *testing.T) {
	env := newTestEnv(t)
	cases := map[string]string{"ENG-1": "running", "id-2": "running", "ENG-3": "retrying", "ENG-4": "watching", "ENG-5": "queued", "ENG-7": "held",
		"ENG-8": "awaiting_clarification", "id-9": "skipped"}
	for key, status := range cases {
		rec := do(env.srv.Handler(), "GET", "/api/v1/issues/"+key, "", nil)
		var is Issue
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &is) != nil || is.Status != status {
			t.Errorf("issue %s: %d %s, want status %s", key, rec.Code, rec.Body, status)
		}
	}
	var gated Issue
	json.Unmarshal(do(env.srv.Handler(), "GET", "/api/v1/issues/ENG-8", "", nil).Body.Bytes(), &gated)
	if gated.Gate == nil || gated.Gate.Score != 4 || gated.Gate.RoundsAsked != 1 || len(gated.Gate.Questions) != 2 {
		t.Errorf("awaiting issue gate object %+v", gated.Gate)
	}
	var retry Issue
	json.Unmarshal(do(env.srv.Handler(), "GET", "/api/v1/issues/ENG-3", "", nil).Body.Bytes(), &retry)
	if retry.Attempts.RestartCount != 3 || retry.Attempts.CurrentRetryAttempt != 4 || retry.LastError != "worker exited: turn_timeout" {
		t.Errorf("retrying issue attempts %+v last error %q", retry.Attempts, retry.LastError)
	}
	rec := do(env.srv.Handler(), "GET", "/api/v1/issues/ENG-404", "", nil)
	if rec.Code != 404 || errorCode(t, rec) != codeIssueNotFound {
		t.Errorf("unknown issue: %d %s", rec.Code, rec.Body)
	}
	rec = do(env.srv.Handler(), "GET", "/api/v1/issues/ENG-2/transcript", "", nil)
	if rec.Code != 404 || errorCode(t, rec) != codeTranscriptNotFound {
		t.Errorf("issue without events: %d %s", rec.Code, rec.Body)
	}
}

func TestStateHistoryIsBoundedNewestFirst(t *testing.T) {
	snap := exampleSnapshot()
	snap.History = nil
	for i := range 120 {
		snap.History = append(snap.History, orchestrator.HistoryRow{RunID: fmt.Sprintf("run-%d", i), Status: store.StatusSuccess})
	}
	st := stateOf(snap)
	if len(st.RunHistory) != stateHistoryRows || st.RunHistory[0].RunID != "run-119" || st.RunHistory[stateHistoryRows-1].RunID != "run-70" {
		t.Fatalf("history rows %d, first %s", len(st.RunHistory), st.RunHistory[0].RunID)
	}
}

func TestRunsFiltersAndLimits(t *testing.T) {
	env := newTestEnv(t)
	rec := do(env.srv.Handler(), "GET", "/api/v1/runs?issue=ENG-3&repo=web&status=timeout&limit=1", "", nil)
	var doc Runs
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Count != 1 || len(doc.Runs) != 1 {
		t.Fatalf("runs: %d %s", rec.Code, rec.Body)
	}
	if want := (store.RunFilter{Issue: "ENG-3", RepoKey: "web", Status: store.StatusTimeout, Limit: 1}); env.runs.last != want {
		t.Errorf("store filter %+v, want %+v", env.runs.last, want)
	}
	do(env.srv.Handler(), "GET", "/api/v1/runs", "", nil)
	if env.runs.last.Limit != defaultRunsLimit {
		t.Errorf("default limit %d", env.runs.last.Limit)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "status=done", "agent=codex"} {
		rec := do(env.srv.Handler(), "GET", "/api/v1/runs?"+q, "", nil)
		if rec.Code != 400 || errorCode(t, rec) != codeInvalidRunsFilter {
			t.Errorf("runs?%s: %d %s", q, rec.Code, rec.Body)
		}
	}
}

// readNDJSON returns the record hashes of an NDJSON audit answer.
func readNDJSON(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

func TestAuditPagesWithTheCursor(t *testing.T) {
	env := newTestEnv(t)
	writeAudit(t, env.state, 30)
	var seen []float64
	cursor := ""
	for page := 0; page < 10; page++ {
		target := "/api/v1/audit?issue=ENG-1&limit=4"
		if cursor != "" {
			target += "&cursor=" + cursor
		}
		rec := do(env.srv.Handler(), "GET", target, "", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("page %d: %d %s", page, rec.Code, rec.Body)
		}
		for _, r := range readNDJSON(t, rec.Body.String()) {
			if r["issue_identifier"] != "ENG-1" {
				t.Fatalf("record of %v in an ENG-1 query", r["issue_identifier"])
			}
			seen = append(seen, r["seq"].(float64))
		}
		cursor = rec.Header().Get(NextCursorHeader)
		if cursor == "" {
			break
		}
	}
	// 15 ENG-1 records over two days, each exactly once and in chain order.
	if len(seen) != 15 || !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 15 {
		t.Fatalf("paged through seqs %v", seen)
	}
	all := readNDJSON(t, do(env.srv.Handler(), "GET", "/api/v1/audit?type=operator_action&limit=100", "", nil).Body.String())
	if len(all) != 15 {
		t.Errorf("type filter returned %d records, want 15", len(all))
	}
	for _, q := range []string{"cursor=garbage", "cursor=2026-12-06:nohash", "limit=0", "from=yesterday", "bogus=1"} {
		rec := do(env.srv.Handler(), "GET", "/api/v1/audit?"+q, "", nil)
		if rec.Code != 400 || errorCode(t, rec) != codeInvalidAuditFilter {
			t.Errorf("audit?%s: %d %s", q, rec.Code, rec.Body)
		}
	}
}

func TestControlOverTCPNeedsTheBearerToken(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"missing", nil, 401},
		{"wrong token", http.Header{"Authorization": {"Bearer " + strings.Repeat("f", 64)}}, 401},
		{"short token", http.Header{"Authorization": {"Bearer " + testToken[:10]}}, 401},
		{"two headers", http.Header{"Authorization": {"Bearer " + testToken, "Bearer " + testToken}}, 401},
		{"basic scheme", http.Header{"Authorization": {"Basic " + testToken}}, 401},
		{"no scheme", http.Header{"Authorization": {testToken}}, 401},
		{"lowercase scheme", http.Header{"Authorization": {"bearer " + testToken}}, 202},
		{"exact", bearer(), 202},
	}
	for _, c := range cases {
		rec := do(env.srv.Handler(), "POST", "/api/v1/control/refresh", "", c.header)
		if rec.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.status)
			continue
		}
		if c.status == 401 && (errorCode(t, rec) != codeUnauthorized || rec.Header().Get("WWW-Authenticate") == "") {
			t.Errorf("%s: %s without a challenge", c.name, rec.Body)
		}
	}
	if calls := env.orch.Calls(); len(calls) != 2 {
		t.Errorf("orchestrator saw %v, want only the two authorised refreshes", calls)
	}
	// The socket relies on its file mode instead.
	if rec := do(env.srv.SocketHandler(), "POST", "/api/v1/control/refresh", "", nil); rec.Code != 202 {
		t.Errorf("socket refresh without a token: %d %s", rec.Code, rec.Body)
	}
}

func TestBrowserControlRequestsMustBeSameOrigin(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		o.Host = "symphony.internal"
		o.AllowedOrigins = ParseAllowedOrigins("https://ops.example.com:8443, tools.example.com")
	})
	h := func(kv ...string) http.Header {
		hd := bearer()
		for i := 0; i < len(kv); i += 2 {
			hd.Add(kv[i], kv[i+1])
		}
		return hd
	}
	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"no browser headers", h(), 202},
		{"localhost origin", h("Origin", "http://localhost:4000"), 202},
		{"loopback ip origin", h("Origin", "http://127.0.0.1:39123", "Sec-Fetch-Site", "same-origin"), 202},
		{"ipv6 loopback origin", h("Origin", "http://[::1]:4000"), 202},
		{"configured host", h("Origin", "http://symphony.internal:4000"), 202},
		{"allow-listed host", h("Origin", "https://ops.example.com"), 202},
		{"allow-listed bare name", h("Origin", "http://tools.example.com:1234"), 202},
		{"foreign origin", h("Origin", "https://evil.example"), 403},
		{"null origin", h("Origin", "null"), 403},
		{"two origins", h("Origin", "http://localhost", "Origin", "http://localhost"), 403},
		{"cross-site fetch", h("Origin", "http://localhost:4000", "Sec-Fetch-Site", "cross-site"), 403},
		{"same-site fetch", h("Sec-Fetch-Site", "same-site"), 403},
		{"fetch metadata without origin", h("Sec-Fetch-Site", "same-origin"), 403},
	}
	for _, c := range cases {
		rec := do(env.srv.Handler(), "POST", "/api/v1/control/refresh", "", c.header)
		if rec.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.status)
		} else if c.status == 403 && errorCode(t, rec) != codeForbiddenOrigin {
			t.Errorf("%s: %s", c.name, rec.Body)
		}
	}
	// The origin is checked before the token, so a foreign page learns nothing about it.
	rec := do(env.srv.Handler(), "POST", "/api/v1/control/refresh", "", http.Header{"Origin": {"https://evil.example"}})
	if rec.Code != 403 {
		t.Errorf("foreign origin without token: %d", rec.Code)
	}
}

func TestControlRequestsReachTheOrchestrator(t *testing.T) {
	env := newTestEnv(t)
	h := env.srv.Handler()
	steps := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/api/v1/control/pause", `{"reason":"deploy"}`, 200, `"reason": "deploy"`},
		{"/api/v1/control/pause", ``, 200, `"reason": "` + DefaultPauseReason + `"`},
		{"/api/v1/control/resume", ``, 200, `"paused": false`},
		{"/api/v1/control/stop", `{"issue_identifier":"ENG-1"}`, 200, `"stopped": true`},
		{"/api/v1/control/unstop", `{"issue_identifier":"ENG-1"}`, 200, `"unstopped": true`},
		{"/api/v1/control/refresh", `{}`, 202, `"queued": true`},
		{"/api/v1/control/stop", `{}`, 422, codeInvalidRequest},
		{"/api/v1/control/unstop", `{"issue":"ENG-1"}`, 422, codeInvalidRequest},
		{"/api/v1/control/pause", `{"reason":`, 422, codeInvalidRequest},
		{"/api/v1/control/pause", `{"reason":"a"} {"reason":"b"}`, 422, codeInvalidRequest},
	}
	for _, s := range steps {
		rec := do(h, "POST", s.path, s.body, bearer())
		if rec.Code != s.status || !strings.Contains(rec.Body.String(), s.want) {
			t.Errorf("POST %s %s: %d %s, want %d with %s", s.path, s.body, rec.Code, rec.Body, s.status, s.want)
		}
	}
	want := []string{"pause deploy", "pause " + DefaultPauseReason, "resume", "stop ENG-1", "unstop ENG-1", "refresh"}
	if got := env.orch.Calls(); !slices.Equal(got, want) {
		t.Errorf("orchestrator calls %q, want %q", got, want)
	}
}

func TestControlRefusalsMapToStatusesAndCodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("resume: %w", orchestrator.ErrNotPaused), 409, codeNotPaused},
		{fmt.Errorf("stop: %w", orchestrator.ErrIssueNotActive), 404, codeIssueNotActive},
		{fmt.Errorf("unstop: %w", orchestrator.ErrIssueNotHeld), 409, codeIssueNotHeld},
		{fmt.Errorf("unstop: %w", orchestrator.ErrIssueStopping), 409, codeIssueStopping},
		{orchestrator.ErrNotRunning, 503, codeUnavailable},
		{errors.New("stop: the orchestrator did not answer within 5s"), 503, codeUnavailable},
	}
	for _, c := range cases {
		env := newTestEnv(t)
		env.orch.err = c.err
		rec := do(env.srv.Handler(), "POST", "/api/v1/control/stop", `{"issue_identifier":"ENG-9"}`, bearer())
		if rec.Code != c.status || errorCode(t, rec) != c.code {
			t.Errorf("%v: %d %s, want %d %s", c.err, rec.Code, rec.Body, c.status, c.code)
		}
	}
}

func TestTokenFileIsCreatedOnceAndPrivate(t *testing.T) {
	root := filepath.Join(t.TempDir(), "state")
	tok, err := EnsureToken(root)
	if err != nil || !validToken(tok) {
		t.Fatalf("token %q: %v", tok, err)
	}
	assertMode(t, filepath.Join(root, TokenFile), 0o600)
	assertMode(t, root, 0o700)
	again, err := EnsureToken(root)
	if err != nil || again != tok {
		t.Fatalf("second EnsureToken gave %q (%v), want the same token", again, err)
	}
	if err := os.Chmod(filepath.Join(root, TokenFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadToken(root); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable token was accepted: %v", err)
	}
	if err := os.Remove(filepath.Join(root, TokenFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, TokenFile), []byte("not-hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureToken(root); err == nil || !strings.Contains(err.Error(), "64 lowercase hex") {
		t.Errorf("a malformed token was accepted: %v", err)
	}
	if _, err := New(Options{Orchestrator: newScripted(exampleSnapshot()), Runs: &fixedRuns{}, AuditDir: root, Token: "short"}); err == nil {
		t.Error("New accepted a malformed token")
	}
}

func TestControlURLFileIsPrivateAndRemovedOnlyByItsWriter(t *testing.T) {
	root := t.TempDir()
	if err := WriteControlURL(root, "http://127.0.0.1:4100"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(root, URLFile), 0o600)
	if got, err := ReadControlURL(root); err != nil || got != "http://127.0.0.1:4100" {
		t.Fatalf("control url %q (%v)", got, err)
	}
	RemoveControlURL(root, "http://127.0.0.1:9999")
	if _, err := ReadControlURL(root); err != nil {
		t.Fatal("a service removed another one's control url")
	}
	RemoveControlURL(root, "http://127.0.0.1:4100")
	if _, err := ReadControlURL(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("control url left behind: %v", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}
