package server

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestDashboardDocMatchesThePages checks the facts docs/dashboard.md states against the
// server; the behaviour it describes is checked by the page, plot and Chromium tests.
func TestDashboardDocMatchesThePages(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "dashboard.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	env := newTestEnv(t, withLearnings(t))
	writeAudit(t, env.state, 4)

	routes := regexp.MustCompile("(?m)^\\| `GET (/[^`]*)` \\|").FindAllStringSubmatch(doc, -1)
	if len(routes) != 5 {
		t.Fatalf("docs/dashboard.md lists %d page routes, want 5", len(routes))
	}
	for _, r := range routes {
		getPage(t, env, r[1], 200)
	}

	ids := regexp.MustCompile("`#([a-z-]+)`").FindAllStringSubmatch(doc[strings.Index(doc, "stable ids"):], -1)
	dashboard := getPage(t, env, "/", 200)
	var documented []string
	for _, id := range ids {
		documented = append(documented, id[1])
		section(t, dashboard, id[1])
	}
	var live []string
	for _, m := range regexp.MustCompile(`id="([a-z-]+)"[^>]*data-live`).FindAllStringSubmatch(dashboard, -1) {
		live = append(live, m[1])
	}
	for _, id := range live {
		if !slices.Contains(documented, id) {
			t.Errorf("live section #%s of / is not in docs/dashboard.md", id)
		}
	}

	kinds := []string{string(orchestrator.BlockerManual), string(orchestrator.BlockerDisk), string(orchestrator.BlockerBudget),
		string(orchestrator.BlockerQuota), string(orchestrator.BlockerPreflight), string(orchestrator.BlockerNoWorkerCapacity), "tracker_unavailable"}
	for _, k := range kinds {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("docs/dashboard.md does not name blocker kind %s", k)
		}
	}

	if !strings.Contains(doc, "    "+contentSecurityPolicy+"\n") {
		t.Errorf("docs/dashboard.md does not quote the Content Security Policy %q", contentSecurityPolicy)
	}
	script, err := webFiles.ReadFile("web/dashboard.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc, "disarms itself after five\nseconds") || !strings.Contains(string(script), "var ARM_MS = 5000;") {
		t.Error("the doc and the script disagree on when an armed button disarms")
	}
	if !strings.Contains(doc, "last 14 days") || auditPageDays != 14 || !strings.Contains(doc, "newest 500") || auditPageRecords != 500 {
		t.Error("the doc and the audit page disagree on how much they show")
	}
	if !strings.Contains(doc, "last 24 hours") || plotHours != 24 || !strings.Contains(doc, "last 7 days") || plotDays != 7 {
		t.Error("the doc and the plots disagree on their spans")
	}
	if !strings.Contains(doc, "300 KB and 50 ms") || maxDashboardBytes != 300<<10 {
		t.Error("the doc and TestDashboardPageWeight disagree on the budget")
	}
}
