package notify

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/secretscan"
)

func webhookTo(url string, events ...string) config.Channel {
	return config.Channel{Kind: "webhook", URL: url, AllowPrivate: true, Events: events}
}

func TestChannelsReceiveOnlyTheirEvents(t *testing.T) {
	onlyPR, everything := newReceiver(t), newReceiver(t)
	h := newHarness(t, onlyPR, []config.Channel{
		webhookTo(onlyPR.urlAs(t, "example.com", "/pr"), "pr_opened"),
		webhookTo(everything.urlAs(t, "example.com", "/all")),
	}, false)
	// Every httptest TLS server presents the same certificate, so one pool trusts both.
	for _, name := range []string{"pr_opened", "run_failed", EventRunStuck, "pr_merged"} {
		h.n.Notify(Event{Name: name, IssueIdentifier: "ENG-1"})
	}
	res := h.drain(t)
	var unknown []Result
	res = slices.DeleteFunc(res, func(r Result) bool {
		if r.Event == "pr_merged" {
			unknown = append(unknown, r)
			return true
		}
		return false
	})
	if len(unknown) != 1 || unknown[0].Delivered || unknown[0].Err == nil || !strings.Contains(unknown[0].Err.Error(), `unknown notification event "pr_merged"`) {
		t.Errorf("unknown event reported as %+v, want one undelivered result naming it", unknown)
	}
	if got := events(onlyPR.payloads(t)); !slices.Equal(got, []string{"pr_opened"}) {
		t.Errorf("filtered channel got %v, want [pr_opened]", got)
	}
	got := events(everything.payloads(t))
	slices.Sort(got)
	if want := []string{"pr_opened", "run_failed", "run_stuck"}; !slices.Equal(got, want) {
		t.Errorf("unfiltered channel got %v, want %v", got, want)
	}
	if len(res) != 4 {
		t.Fatalf("got %d results, want 4: %+v", len(res), res)
	}
	for _, r := range res {
		if !r.Delivered || r.Attempts != 1 || r.Status != http.StatusOK || r.Err != nil {
			t.Errorf("result %+v, want delivered on the first attempt", r)
		}
	}
}

// allText joins every string inside a decoded payload, so assertions see what Slack renders
// rather than JSON's escaping of <, > and &.
func allText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		var parts []string
		for k, x := range t {
			parts = append(parts, k, allText(x))
		}
		return strings.Join(parts, "\n")
	case []any:
		var parts []string
		for _, x := range t {
			parts = append(parts, allText(x))
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

func events(payloads []map[string]any) []string {
	var out []string
	for _, p := range payloads {
		out = append(out, p["event"].(string))
	}
	return out
}

func TestWebhookPayloadFieldsAndTitleRedaction(t *testing.T) {
	ev := Event{
		Name: "pr_opened", RepoKey: "app", IssueID: "id-1", IssueIdentifier: "ENG-7",
		IssueURL: "https://linear.app/x/ENG-7", IssueTitle: "Fix login", PRURL: "https://github.com/o/r/pull/3",
		PRTitle: "Login fix", RunID: "run-1", Attempt: 2, Tokens: &Tokens{Input: 10, Output: 5, Total: 15},
		Metadata: map[string]any{"scope": "issue"}, Reason: strings.Repeat("x", 2000),
	}
	for _, redact := range []bool{false, true} {
		rcv := newReceiver(t)
		h := newHarness(t, rcv, []config.Channel{webhookTo(rcv.urlAs(t, "example.com", "/hook"))}, redact)
		h.n.Notify(ev)
		h.drain(t)
		p := rcv.payloads(t)[0]
		if p["state_url"] != ev.PRURL || p["pr_url"] != ev.PRURL || p["issue_identifier"] != "ENG-7" || p["attempt"] != float64(2) {
			t.Errorf("redact=%v: payload %v lacks the event's fields", redact, p)
		}
		if p["timestamp"] != "2026-12-07T01:00:00Z" {
			t.Errorf("timestamp %v, want the fake clock's time", p["timestamp"])
		}
		if _, ok := p["session_id"]; ok {
			t.Errorf("empty session_id should be dropped: %v", p)
		}
		if n := len(p["reason"].(string)); n != maxFieldLen {
			t.Errorf("reason length %d, want capped at %d", n, maxFieldLen)
		}
		_, hasIssueTitle := p["issue_title"]
		_, hasPRTitle := p["pr_title"]
		if hasIssueTitle == redact || hasPRTitle == redact {
			t.Errorf("redact_titles=%v but issue_title present=%v pr_title present=%v", redact, hasIssueTitle, hasPRTitle)
		}
	}
}

func TestSlackPayloadShapeEscapingAndRedaction(t *testing.T) {
	ev := Event{Name: "run_failed", IssueIdentifier: "ENG-9", IssueURL: "https://linear.app/x/ENG-9",
		IssueTitle: "Crash <script> & co", Reason: "exit 1 > 0"}
	for _, redact := range []bool{false, true} {
		rcv := newReceiver(t)
		h := newHarness(t, rcv, []config.Channel{{Kind: "slack", WebhookURL: rcv.urlAs(t, "example.com", "/services/T/B/X"), AllowPrivate: true}}, redact)
		h.n.Notify(ev)
		h.drain(t)
		p := rcv.payloads(t)[0]
		if p["text"] != "Run failed: ENG-9" {
			t.Errorf("text %q, want %q", p["text"], "Run failed: ENG-9")
		}
		raw := allText(p)
		if !strings.Contains(raw, "<https://linear.app/x/ENG-9|Run failed: ENG-9>") {
			t.Errorf("headline lacks the issue link: %s", raw)
		}
		if !strings.Contains(raw, "exit 1 &gt; 0") || strings.Contains(raw, "exit 1 > 0") {
			t.Errorf("reason not mrkdwn-escaped: %s", raw)
		}
		if strings.Contains(raw, "Crash") == redact {
			t.Errorf("redact_titles=%v but title present=%v: %s", redact, !redact, raw)
		}
		if !redact && !strings.Contains(raw, "Crash &lt;script&gt; &amp; co") {
			t.Errorf("title not mrkdwn-escaped: %s", raw)
		}
		if !strings.Contains(raw, "#d9534f") || !strings.Contains(raw, "sent 2026-12-07T01:00:00Z") {
			t.Errorf("attachment lacks failure colour or sent context: %s", raw)
		}
	}
}

func TestRetriesBackOffThenSucceedOrGiveUp(t *testing.T) {
	tests := []struct {
		name      string
		replies   []func(http.ResponseWriter)
		delivered bool
		attempts  int
		waits     []time.Duration
	}{
		{"recovers on the third attempt", []func(http.ResponseWriter){status(500), status(502), status(200)}, true, 3, []time.Duration{time.Second, 2 * time.Second}},
		{"gives up after three attempts", []func(http.ResponseWriter){status(503)}, false, 3, []time.Duration{time.Second, 2 * time.Second}},
		{"client error is not retried", []func(http.ResponseWriter){status(404)}, false, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.replies...)
			h := newHarness(t, rcv, []config.Channel{webhookTo(rcv.urlAs(t, "example.com", "/hook"))}, false)
			h.n.Notify(Event{Name: "run_failed"})
			res := h.drain(t)
			if len(res) != 1 || res[0].Delivered != tt.delivered || res[0].Attempts != tt.attempts {
				t.Fatalf("results %+v, want one with delivered=%v attempts=%d", res, tt.delivered, tt.attempts)
			}
			if rcv.count() != tt.attempts {
				t.Errorf("receiver saw %d requests, want %d", rcv.count(), tt.attempts)
			}
			if got := h.sleeper.recorded(); !slices.Equal(got, tt.waits) {
				t.Errorf("waits %v, want %v", got, tt.waits)
			}
			if !tt.delivered && (res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "answered")) {
				t.Errorf("failure error %v should say what the receiver answered", res[0].Err)
			}
		})
	}
}

func TestSlackRateLimitHonoursRetryAfter(t *testing.T) {
	limited := func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	rcv := newReceiver(t, limited, status(200))
	h := newHarness(t, rcv, []config.Channel{{Kind: "slack", WebhookURL: rcv.urlAs(t, "example.com", "/services/T/B/X"), AllowPrivate: true}}, false)
	h.n.Notify(Event{Name: "budget_exceeded", Metadata: map[string]any{"scope": "day"}})
	res := h.drain(t)
	if len(res) != 1 || !res[0].Delivered || res[0].Attempts != 2 {
		t.Fatalf("results %+v, want delivered on attempt 2", res)
	}
	if got := h.sleeper.recorded(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Errorf("waits %v, want [7s] from Retry-After", got)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	rcv := newReceiver(t)
	target := rcv.urlAs(t, "example.com", "/elsewhere")
	rcv.replies = []func(http.ResponseWriter){func(w http.ResponseWriter) {
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusFound)
	}}
	for _, kind := range []string{"slack", "webhook"} {
		t.Run(kind, func(t *testing.T) {
			before := rcv.count()
			u := rcv.urlAs(t, "example.com", "/hook")
			h := newHarness(t, rcv, []config.Channel{{Kind: kind, URL: u, WebhookURL: u, AllowPrivate: true}}, false)
			h.n.Notify(Event{Name: "pr_opened"})
			res := h.drain(t)
			if len(res) != 1 || res[0].Delivered || res[0].Status != http.StatusFound || res[0].Attempts != 1 {
				t.Fatalf("results %+v, want one undelivered 302 after one attempt", res)
			}
			if !strings.Contains(res[0].Err.Error(), "redirects are not followed") {
				t.Errorf("error %v should say the redirect was not followed", res[0].Err)
			}
			if got := rcv.count() - before; got != 1 {
				t.Errorf("receiver saw %d requests, want 1 (the redirect target must not be requested)", got)
			}
		})
	}
}

func TestNameResolvingToLoopbackIsRefusedAtDialTime(t *testing.T) {
	for _, allow := range []bool{false, true} {
		rcv := newReceiver(t)
		ch := config.Channel{Kind: "webhook", URL: rcv.urlAs(t, "example.com", "/hook"), AllowPrivate: allow}
		if err := Validate(config.Notifications{Enabled: true, Channels: []config.Channel{ch}}, nil); err != nil {
			t.Fatalf("allow_private=%v: config-time check should pass a host name, got %v", allow, err)
		}
		h := newHarness(t, rcv, []config.Channel{ch}, false)
		h.n.Notify(Event{Name: "run_failed"})
		res := h.drain(t)
		if len(res) != 1 {
			t.Fatalf("allow_private=%v: results %+v, want one", allow, res)
		}
		if allow {
			if !res[0].Delivered || rcv.count() != 1 {
				t.Errorf("allow_private=true: result %+v, receiver saw %d; want delivered", res[0], rcv.count())
			}
			continue
		}
		if res[0].Delivered || rcv.count() != 0 {
			t.Fatalf("allow_private=false: result %+v, receiver saw %d; want refused before connecting", res[0], rcv.count())
		}
		if msg := res[0].Err.Error(); !strings.Contains(msg, "127.0.0.1 is loopback") || strings.Contains(msg, "/hook") {
			t.Errorf("error %q should name the loopback address and not the URL path", msg)
		}
	}
}

func TestNoSecretReachesAPayload(t *testing.T) {
	const configured = "hunter2-webhook-credential"
	token := "ghp_" + strings.Repeat("A1b2", 9)
	ev := Event{Name: "run_failed", IssueIdentifier: "ENG-3", IssueTitle: "leaks " + configured,
		Reason:   "git push failed: remote: Invalid username or token " + token,
		Metadata: map[string]any{"log": []any{"Authorization: Bearer " + configured}, "nested": map[string]any{"k": token}}}
	for _, kind := range []string{"slack", "webhook"} {
		rcv := newReceiver(t)
		// The channel's own URL is a secret even though it is not passed in Options.Secrets.
		u := rcv.urlAs(t, "example.com", "/services/T0/B0/webhook-path-secret")
		h := newHarness(t, rcv, []config.Channel{{Kind: kind, URL: u, WebhookURL: u, AllowPrivate: true}}, false, configured)
		ev.PRTitle = "posted to " + u
		h.n.Notify(ev)
		h.drain(t)
		raw := allText(rcv.payloads(t)[0])
		if strings.Contains(raw, configured) || strings.Contains(raw, token) || strings.Contains(raw, "webhook-path-secret") {
			t.Errorf("%s payload carries a secret: %s", kind, raw)
		}
		if f := secretscan.New(configured).Find(raw); len(f) > 0 {
			t.Errorf("%s payload: scanner still finds %+v in %s", kind, f, raw)
		}
		if !strings.Contains(raw, "[REDACTED:") {
			t.Errorf("%s payload should show where secrets were removed: %s", kind, raw)
		}
	}
}

func TestFullQueueDropsWithoutBlockingTheCaller(t *testing.T) {
	release := make(chan struct{})
	rcv := newReceiver(t, func(w http.ResponseWriter) {
		<-release
		w.WriteHeader(http.StatusOK)
	})
	res := &results{}
	n, err := New(config.Notifications{Enabled: true, Channels: []config.Channel{webhookTo(rcv.urlAs(t, "example.com", "/hook"))}},
		Options{OnResult: res.add, Resolver: staticResolver{"example.com": "127.0.0.1"}, RootCAs: rcv.roots(), QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 10 {
		n.Notify(Event{Name: "run_failed"})
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Notify blocked for %v behind a stalled receiver", elapsed)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var delivered, dropped int
	for _, r := range res.list() {
		switch {
		case r.Delivered:
			delivered++
		case r.Dropped:
			dropped++
		}
	}
	// One delivery in flight plus one queued; the other eight never fit.
	if delivered+dropped != 10 || dropped < 8 {
		t.Errorf("delivered %d dropped %d, want 10 in all with at least 8 dropped", delivered, dropped)
	}
}

func TestCloseCancelsDeliveriesWhenItsContextEnds(t *testing.T) {
	release := make(chan struct{})
	rcv := newReceiver(t, func(w http.ResponseWriter) {
		<-release
		w.WriteHeader(http.StatusOK)
	})
	// Registered after the receiver, so it runs before the server's Close waits for handlers.
	t.Cleanup(func() { close(release) })
	h := newHarness(t, rcv, []config.Channel{webhookTo(rcv.urlAs(t, "example.com", "/hook"))}, false)
	h.n.Notify(Event{Name: "run_failed"})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := h.n.Close(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Close = %v, want DeadlineExceeded", err)
	}
	res := h.results.list()
	if len(res) != 1 || res[0].Delivered {
		t.Errorf("results %+v, want the in-flight delivery reported as failed", res)
	}
}
