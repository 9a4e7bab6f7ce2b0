package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// scrape fetches the handler's output over HTTP, as Prometheus would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s: %s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics Content-Type %q, want the Prometheus text format", ct)
	}
	return string(body)
}

func TestFullScrapePassesPromlint(t *testing.T) {
	text := scrape(t, scripted(t))
	for _, prefix := range []string{"symphony_", "go_", "process_"} {
		if !strings.Contains(text, "\n"+prefix) {
			t.Fatalf("the scrape has no %s metrics:\n%s", prefix, text)
		}
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestPromlintCatchesAMisnamedCounter proves the lint above can fail: a counter without the
// _total suffix and a duration in milliseconds are both reported.
func TestPromlintCatchesAMisnamedCounter(t *testing.T) {
	const bad = "# HELP symphony_requests Requests.\n# TYPE symphony_requests counter\nsymphony_requests 1\n" +
		"# HELP symphony_poll_milliseconds Poll time.\n# TYPE symphony_poll_milliseconds gauge\nsymphony_poll_milliseconds 5\n"
	problems, err := promlint.New(strings.NewReader(bad)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 {
		t.Fatalf("promlint found %v in a bad scrape, want the counter suffix and the unit", problems)
	}
}
