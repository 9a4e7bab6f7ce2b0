package server

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// getPage fetches target from the TCP handler and checks it is an HTML page with the
// dashboard's security headers.
func getPage(t *testing.T, env *testEnv, target string, status int) string {
	t.Helper()
	rec := do(env.srv.Handler(), "GET", target, "", nil)
	if rec.Code != status {
		t.Fatalf("GET %s: %d, want %d\n%s", target, rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("GET %s: Content-Security-Policy %q", target, csp)
	}
	body := rec.Body.String()
	if strings.Contains(body, testToken) {
		t.Errorf("GET %s: the page carries the control token", target)
	}
	return body
}

// section returns the element with id, through its matching closing tag, so assertions about
// one part of the page cannot be satisfied by another.
func section(t *testing.T, body, id string) string {
	t.Helper()
	loc := regexp.MustCompile(`<([a-z]+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindStringSubmatchIndex(body)
	if loc == nil {
		t.Fatalf("the page has no element #%s", id)
	}
	tag := body[loc[2]:loc[3]]
	tags := regexp.MustCompile(`</?` + tag + `\b[^>]*>`)
	depth := 0
	for _, m := range tags.FindAllStringIndex(body[loc[0]:], -1) {
		if strings.HasPrefix(body[loc[0]+m[0]:], "</") {
			depth--
		} else {
			depth++
		}
		if depth == 0 {
			return body[loc[0] : loc[0]+m[1]]
		}
	}
	t.Fatalf("#%s is never closed", id)
	return ""
}

// row returns the table row of the issue inside html.
func row(t *testing.T, html, identifier string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-issue="` + regexp.QuoteMeta(identifier) + `">.*?</tr>`).FindString(html)
	if m == "" {
		t.Fatalf("no row for %s in\n%s", identifier, html)
	}
	return m
}

func mustContain(t *testing.T, where, html string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(html, w) {
			t.Errorf("%s lacks %q", where, w)
		}
	}
}

func TestDashboardShowsEveryList(t *testing.T) {
	env := newTestEnv(t)
	body := getPage(t, env, "/", 200)
	running := section(t, body, "running")
	mustContain(t, "ENG-1 row", row(t, running, "ENG-1"), `<a href="/issues/ENG-1">ENG-1</a>`, "Fix the login redirect", "web", "In Progress",
		`<td class="num">3</td>`, "13m 0s", "128,000", "notification", "running go test ./...", "5s ago",
		`href="https://github.com/acme/web/pull/31"`, `data-action="stop" data-issue="ENG-1"`)
	mustContain(t, "ENG-2 row", row(t, running, "ENG-2"), "api", "2m 0s", "31,500", "session_started")
	mustContain(t, "retry row", row(t, section(t, body, "retrying"), "ENG-3"), `<td class="num">4</td>`, "in 1m 20s",
		`datetime="2026-12-06T12:01:20Z"`, "worker exited: turn_timeout")
	mustContain(t, "queued row", row(t, section(t, body, "queued"), "ENG-5"), "Todo")
	mustContain(t, "held row", row(t, section(t, body, "held"), "ENG-7"), "stopped by operator", `data-action="unstop"`)
	gate := section(t, body, "issue-gate")
	mustContain(t, "clarification row", row(t, gate, "ENG-8"), "asked to clarify (1)", `<td class="num">4</td>`, "No target latency is given.")
	mustContain(t, "skipped row", row(t, gate, "ENG-9"), "skipped", "No problem is described.")
	mustContain(t, "awaiting row", row(t, section(t, body, "awaiting-input"), "ENG-10"), "Which port should the server use?",
		"2026-12-06 11:40 UTC", `data-action="unstop" data-issue="ENG-10"`)
	mustContain(t, "watching row", row(t, section(t, body, "watching"), "ENG-4"), "In Review", "1h 0m ago", `href="https://linear.app/acme/issue/ENG-4"`)
	mustContain(t, "conflicts", section(t, body, "conflicts"), "ENG-6 matches api, web")
	mustContain(t, "metrics", section(t, body, "metrics"), `2/4`, "900,000", "675,000", "225,000", "45,000", "945,000", "1h 45m",
		"$2.40", "cost, $0.61 today", "$0.61 of $50.00 today", "Per issue: $5.00",
		"182,500 used, 9,817,500 left of 10,000,000 (2%)", "Per issue: 2,000,000",
		"<dt>primary.used_percent</dt><dd>12.5</dd>", "<dt>primary.resets_in_seconds</dt><dd>30</dd>")
	history := section(t, body, "history")
	mustContain(t, "history", history, `data-run="run-9"`, `data-run="run-10"`, "timeout", "success", "turn_timeout", "10m 0s")
	if strings.Index(history, "run-9") < strings.Index(history, "run-10") {
		t.Error("run history is not newest first")
	}
	mustContain(t, "dispatch", section(t, body, "dispatch"), "Dispatch: active", "Last poll: 10s ago")
	mustContain(t, "pause control", section(t, body, "pause-state"), `data-action="pause"`, `data-confirm="Confirm pause"`)
	mustContain(t, "page", body, `<noscript><p class="notice">The buttons need JavaScript. From a shell: <code>symphony pause`,
		`<noscript><meta http-equiv="refresh" content="1"></noscript>`, `<script src="/assets/dashboard.js" defer></script>`,
		`aria-label="Tokens per hour, last 24 hours`, `aria-label="Run outcomes per day, last 7 days: 1 succeeded, 1 failed, 0 halted"`)
}

// TestDashboardShowsWorkerHosts: the hosts table lists each SSH worker host's load and
// health, with an unhealthy host's down time, error and next probe; a running row names its
// host.
func TestDashboardShowsWorkerHosts(t *testing.T) {
	env := newTestEnv(t)
	body := getPage(t, env, "/", 200)
	hosts := section(t, body, "worker-hosts")
	mustContain(t, "hosts table", hosts, "Worker hosts <span class=\"count\">2</span>",
		`<tr data-host="build-1.internal"><td>build-1.internal</td><td>healthy</td><td class="num">1 / 2</td>`,
		`<tr data-host="build-2.internal:2222"><td>build-2.internal:2222</td><td><span class="badge">unhealthy</span> <span class="muted">1m 30s</span></td><td class="num">0 / 2</td>`,
		"Connection refused", `datetime="2026-12-06T12:00:30Z"`, "in 30s")
	mustContain(t, "ENG-1 row", row(t, section(t, body, "running"), "ENG-1"), `<span class="muted">on build-1.internal</span>`)
}

func TestDashboardNamesEveryBlocker(t *testing.T) {
	env := newTestEnv(t)
	env.orch.publish(func(s *orchestrator.Snapshot) {
		s.Paused, s.PauseReason, s.PausedSince = true, "incident 7", epoch.Add(-3*time.Minute)
		s.Blockers = []orchestrator.Blocker{
			{Kind: orchestrator.BlockerManual, Message: "paused by operator: incident 7"},
			{Kind: orchestrator.BlockerDisk, Message: "disk guard: 1.2 GiB free under /srv, below 5 GiB"},
			{Kind: orchestrator.BlockerBudget, Message: "daily token budget reached (agent.limits.tokens_per_day)"},
			{Kind: orchestrator.BlockerPreflight, Message: "dispatch preflight failed: symphony.yml:4: tracker.api_key is empty"},
		}
		s.LastPollError = "linear: 503 Service Unavailable"
	})
	body := getPage(t, env, "/", 200)
	dispatch := section(t, body, "dispatch")
	mustContain(t, "dispatch", dispatch, "Dispatch: held",
		`data-kind="manual"`, "paused by operator: incident 7",
		`data-kind="disk_guard"`, "1.2 GiB free under /srv",
		`data-kind="budget"`, "daily token budget reached",
		`data-kind="config_invalid"`, "symphony.yml:4: tracker.api_key is empty",
		`data-kind="tracker_unavailable"`, "the last poll failed: linear: 503 Service Unavailable")
	mustContain(t, "pause control", section(t, body, "pause-state"), "Paused 3m 0s ago", `<strong class="pause-reason">incident 7</strong>`, `data-action="resume"`)
}

func TestDashboardRepoFilter(t *testing.T) {
	env := newTestEnv(t)
	body := getPage(t, env, "/?repo=api", 200)
	mustContain(t, "filter", section(t, body, "repo-filter"), `<a href="/?repo=api" aria-current="true">api</a>`, `<a href="/?repo=web">web</a>`)
	running := section(t, body, "running")
	row(t, running, "ENG-2")
	for _, gone := range []string{"ENG-1", "ENG-3", "ENG-5", "ENG-7", "run-9"} {
		if strings.Contains(strings.ReplaceAll(body, "/?repo=", ""), `"`+gone+`"`) || strings.Contains(section(t, body, "history"), gone) {
			t.Errorf("%s of repo web shows under the api filter", gone)
		}
	}
	row(t, section(t, body, "watching"), "ENG-4")
	mustContain(t, "conflicts", section(t, body, "conflicts"), "ENG-6")
	mustContain(t, "metrics", section(t, body, "metrics"), "1/4")
}

func TestPagesRenderTrackerStringsAsText(t *testing.T) {
	env := newTestEnv(t)
	env.orch.publish(func(s *orchestrator.Snapshot) {
		s.Running = slices.Clone(s.Running)
		s.Running[0].Title = "<script>alert(1)</script>"
		s.Running[0].PRURL = "javascript:alert(2)"
		s.Held = []orchestrator.HeldRow{{IssueID: "id-7", Identifier: `ENG-7"><img src=x onerror=alert(3)>`, RepoKey: "web", Reason: "<b>bold</b>"}}
		s.Watching = slices.Clone(s.Watching)
		s.Watching[0].URL = "javascript:alert(4)"
	})
	body := getPage(t, env, "/", 200)
	mustContain(t, "page", body, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;bold&lt;/b&gt;", `ENG-7&#34;&gt;&lt;img src=x onerror=alert(3)&gt;`)
	for _, raw := range []string{"<script>alert(1)", "<b>bold", "<img src=x", `href="javascript:`} {
		if strings.Contains(body, raw) {
			t.Errorf("the page carries %q unescaped", raw)
		}
	}
	issue := getPage(t, env, "/issues/ENG-1", 200)
	mustContain(t, "issue page", issue, "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(issue, "<script>alert(1)") || strings.Contains(issue, `href="javascript:`) {
		t.Error("the issue page carries a tracker string unescaped")
	}
}

func TestIssuePage(t *testing.T) {
	env := newTestEnv(t)
	body := getPage(t, env, "/issues/ENG-1", 200)
	mustContain(t, "status", section(t, body, "issue-status"), `<dd class="issue-status">running</dd>`, "In Progress, turn 3, running 13m 0s",
		"thread-1-turn-3", "pid 4242", `<code class="workspace">/srv/symphony/workspaces/web/ENG-1</code>`, `<code class="worker-host">build-1.internal</code>`,
		`<a class="pr" href="https://github.com/acme/web/pull/31"`, `data-action="stop" data-issue="ENG-1"`)
	transcript := section(t, body, "transcript")
	mustContain(t, "transcript", transcript, "session_started", "tool_call_completed", "linear_comment", "running go test ./...")
	if strings.Index(transcript, "session_started") > strings.Index(transcript, "running go test") {
		t.Error("the transcript is not oldest first")
	}
	if env.runs.last.Issue != "ENG-1" {
		t.Errorf("runs asked for issue %q", env.runs.last.Issue)
	}

	retry := getPage(t, env, "/issues/ENG-3", 200)
	mustContain(t, "retrying issue", retry, "Fix the flaky login test", "attempt 4", "worker exited: turn_timeout", `data-run="run-9"`,
		"4 (1 failed)", `<code class="workspace">/srv/symphony/workspaces/web/ENG-3</code>`)
	if strings.Contains(retry, `data-action="stop"`) {
		t.Error("an issue that is not running offers Stop")
	}

	env.runs.runs = append(env.runs.runs, store.Run{ID: "run-1", IssueID: "id-19", IssueIdentifier: "ENG-19", IssueTitle: "Old work",
		Status: store.StatusSuccess, StartedAt: epoch.Add(-48 * time.Hour), PRURL: "https://github.com/acme/web/pull/9", WorkerHost: "build-2.internal:2222"})
	past := getPage(t, env, "/issues/ENG-19", 200)
	mustContain(t, "stored-only issue", past, "not held by the service now", "Old work", `href="https://github.com/acme/web/pull/9"`, `data-run="run-1"`,
		`<code class="worker-host">build-2.internal:2222</code>`)

	missing := getPage(t, env, "/issues/ENG-404", 404)
	mustContain(t, "missing issue", missing, "Symphony has no record of issue ENG-404")
}

func TestAuditPage(t *testing.T) {
	env := newTestEnv(t)
	writeAudit(t, env.state, 30) // hourly from 12:00 on Dec 6: 12 records that day, 18 the next
	body := getPage(t, env, "/audit", 200)
	chain := section(t, body, "chain")
	mustContain(t, "chain", chain, `data-day="2026-12-07"`, `data-day="2026-12-06"`, `<td class="intact">intact</td>`)
	if strings.Index(chain, "2026-12-07") > strings.Index(chain, "2026-12-06") {
		t.Error("days are not newest first")
	}
	records := section(t, body, "records")
	mustContain(t, "records", records, "Records of 2026-12-07", `<span class="count">18</span>`, `data-seq="30"`, `data-seq="13"`)
	if strings.Contains(records, `data-seq="12"`) {
		t.Error("the default day shows records of another day")
	}

	filtered := section(t, getPage(t, env, "/audit?day=2026-12-06&issue=ENG-1&type=tool_call", 200), "records")
	if got := strings.Count(filtered, "<tr data-seq="); got != 6 {
		t.Errorf("ENG-1 tool calls on Dec 6: %d rows, want 6", got)
	}
	if strings.Contains(filtered, "ENG-2") || strings.Contains(filtered, "operator_action") {
		t.Error("the filter let other issues or types through")
	}
	filteredPage := getPage(t, env, "/audit?day=2026-12-06&issue=ENG-1&type=tool_call", 200)
	mustContain(t, "download", filteredPage, `href="/api/v1/audit?from=2026-12-06&amp;issue=ENG-1&amp;limit=5000&amp;to=2026-12-06&amp;type=tool_call" download`)
	ndjson := do(env.srv.Handler(), "GET", "/api/v1/audit?from=2026-12-06&issue=ENG-1&limit=5000&to=2026-12-06&type=tool_call", "", nil)
	if got := strings.Count(ndjson.Body.String(), "\n"); ndjson.Code != 200 || got != 6 {
		t.Errorf("the download link answers %d with %d records", ndjson.Code, got)
	}

	getPage(t, env, "/audit?day=yesterday", 400)

	day := filepath.Join(env.state, "audit", "2026-12-06.ndjson")
	data, err := os.ReadFile(day)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(day, []byte(strings.Replace(string(data), `"step":3`, `"step":33`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	chain = section(t, getPage(t, env, "/audit", 200), "chain")
	mustContain(t, "tampered chain", row2(t, chain, "2026-12-06"), `class="broken">BROKEN`, "2026-12-06.ndjson line 4")
}

// row2 returns the chain row of day.
func row2(t *testing.T, html, day string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-day="` + day + `">.*?</tr>`).FindString(html)
	if m == "" {
		t.Fatalf("no row for day %s", day)
	}
	return m
}

func TestAssets(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		path, ctype string
		status      int
		contains    string
	}{
		{"/assets/dashboard.css", "text/css; charset=utf-8", 200, "html:not(.js) .js-only"},
		{"/assets/dashboard.js", "text/javascript; charset=utf-8", 200, `new EventSource("/api/v1/events")`},
		{"/assets/issue.html", "application/json", 404, "not_found"},
		{"/assets/nope.js", "application/json", 404, "not_found"},
	}
	for _, c := range cases {
		rec := do(env.srv.Handler(), "GET", c.path, "", nil)
		if rec.Code != c.status || rec.Header().Get("Content-Type") != c.ctype || !strings.Contains(rec.Body.String(), c.contains) {
			t.Errorf("GET %s: %d %q, want %d %q containing %q", c.path, rec.Code, rec.Header().Get("Content-Type"), c.status, c.ctype, c.contains)
		}
	}
	if rec := do(env.srv.Handler(), "POST", "/", "", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", rec.Code)
	}
}
