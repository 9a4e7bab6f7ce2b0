package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// pricedAgent is a valid agent section (lines 3-7) that a case appends price lines to.
const pricedAgent = "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  pricing:\n    gpt-5:\n"

func TestPricingLoadsEveryBucket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "symphony.yml")
	writeFile(t, path, pricedAgent+"      input: 1.25\n      cached_input: 0.125\n      cache_creation_input: 2\n      output: 10\n")
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	cfg, err := LoadWithEnv(path, mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := ModelPrice{Input: 1.25, CachedInput: 0.125, CacheCreationInput: 2, Output: 10}
	if got := cfg.Agent.Pricing["gpt-5"]; got != want {
		t.Fatalf("agent.pricing.gpt-5 = %+v, want %+v", got, want)
	}
}

func TestPricingRefusesBadPricesWithTheirLine(t *testing.T) {
	cases := []struct {
		name, lines string
		line        int
		inMsg       string
	}{
		{"negative price", "      input: 1\n      output: -3\n", 9, "non-negative"},
		{"unknown bucket", "      input: 1\n      reasoning: 4\n", 9, "reasoning"},
		{"price is text", "      output: cheap\n", 8, "output"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "symphony.yml")
			writeFile(t, path, pricedAgent+c.lines)
			writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
			_, err := LoadWithEnv(path, mapEnv(nil))
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, want one problem", err)
			}
			if got := errs[0]; got.File != path || got.Line != c.line || !strings.Contains(got.String(), c.inMsg) {
				t.Fatalf("got %s, want %s:%d mentioning %q", got, path, c.line, c.inMsg)
			}
		})
	}
}

func TestDollarBudgetsLoadAndRefuseNonPositiveCaps(t *testing.T) {
	const head = "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  pricing: {gpt-5: {input: 1, output: 8}}\n  limits:\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "symphony.yml")
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	writeFile(t, path, head+"    dollars_per_issue: 2.5\n    dollars_per_day: 40\n")
	cfg, err := LoadWithEnv(path, mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.Agent.Limits; l.DollarsPerIssue == nil || *l.DollarsPerIssue != 2.5 || l.DollarsPerDay == nil || *l.DollarsPerDay != 40 {
		t.Fatalf("dollar caps %v, %v; want 2.5 and 40", l.DollarsPerIssue, l.DollarsPerDay)
	}
	writeFile(t, path, head+"    dollars_per_issue: null\n    dollars_per_day: 0\n")
	_, err = LoadWithEnv(path, mapEnv(nil))
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Line != 9 || errs[0].Path != "agent.limits.dollars_per_day" {
		t.Fatalf("got %v, want one problem at agent.limits.dollars_per_day line 9", err)
	}
}
