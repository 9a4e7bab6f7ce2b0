package orchestrator

import (
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/config"
)

func TestSettingsRejectWhatTheLoopCannotHonour(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Settings)
		want   string
	}{
		{"poll interval", func(s *Settings) { s.PollInterval = 0 }, "issues.poll_interval_ms"},
		{"active states", func(s *Settings) { s.ActiveStates = nil }, "issues.states.active"},
		{"max total", func(s *Settings) { s.MaxTotal = 0 }, "max_total"},
		{"max turns", func(s *Settings) { s.MaxTurns = -1 }, "max_turns"},
		{"backoff cap", func(s *Settings) { s.RetryBackoffMax = 0 }, "retry_backoff_max_ms"},
		{"watchdog", func(s *Settings) { s.Watchdog = Watchdog{Enabled: true} }, "watchdog.tick_interval_ms"},
		{"budget", func(s *Settings) { s.TokensPerDay = -5 }, "tokens_per_day"},
		{"dollar budget", func(s *Settings) { s.DollarsPerIssue = -1 }, "dollars_per_issue"},
		{"state cap", func(s *Settings) { s.MaxByState = map[string]int{"Todo": 0} }, `max_by_issue_state["Todo"]`},
		{"agent kind", func(s *Settings) { s.AgentKind = "gemini" }, `"gemini"`},
	}
	for _, c := range cases {
		s := defaultSettings()
		c.mutate(&s)
		_, err := s.withDefaults()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.want)
		}
	}
	h := newHarness(t)
	d := h.deps()
	d.Store, d.Audit = nil, nil
	if _, err := New(d); err == nil || !strings.Contains(err.Error(), "Deps.Store") || !strings.Contains(err.Error(), "Deps.Audit") {
		t.Errorf("New without store and audit: %v", err)
	}
}

func TestFromConfigMapsTheReferenceDefaults(t *testing.T) {
	cfg := config.Defaults()
	cfg.Agent.Runtime = "codex"
	cfg.Issues.States.Active = []string{"Todo", "In Progress"}
	cfg.Repositories = []config.Repository{{Key: "web", Route: config.Route{Labels: []string{"web"}}}, {Key: "ops", Default: true}}
	s := FromConfig(&cfg)
	if _, err := s.withDefaults(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	if s.PollInterval != 30*time.Second || s.MaxTotal != 10 || s.MaxTurns != 20 || s.RetryBackoffMax != 5*time.Minute ||
		s.StallTimeout != 5*time.Minute || s.TokensPerIssue != 500000 || s.TokensPerDay != 5000000 ||
		!s.Watchdog.Enabled || s.Watchdog.Threshold != 10*time.Minute {
		t.Fatalf("mapped settings %+v", s)
	}
	if len(s.Routes) != 2 || s.Routes[0].Labels[0] != "web" || !s.Routes[1].Default {
		t.Fatalf("routes %+v", s.Routes)
	}
	cfg.Agent.Limits.TokensPerIssue, cfg.Agent.Limits.TokensPerDay = nil, nil
	if s := FromConfig(&cfg); s.TokensPerIssue != 0 || s.TokensPerDay != 0 {
		t.Fatal("null budgets did not disable the caps")
	}
	if s.DollarsPerIssue != 0 || s.DollarsPerDay != 0 || len(s.Pricing) != 0 {
		t.Fatalf("dollar budgets %v, %v and pricing %v are on by default", s.DollarsPerIssue, s.DollarsPerDay, s.Pricing)
	}
	perIssue, perDay := 2.5, 40.0
	cfg.Agent.Limits.DollarsPerIssue, cfg.Agent.Limits.DollarsPerDay = &perIssue, &perDay
	cfg.Agent.Pricing = map[string]config.ModelPrice{"gpt-5": {Input: 1.25, CachedInput: 0.125, CacheCreationInput: 1.5, Output: 10}}
	s = FromConfig(&cfg)
	if s.DollarsPerIssue != 2.5 || s.DollarsPerDay != 40 || s.Pricing["gpt-5"] != (Price{Input: 1.25, CachedInput: 0.125, CacheCreationInput: 1.5, Output: 10}) {
		t.Fatalf("dollar budgets %v, %v and pricing %+v", s.DollarsPerIssue, s.DollarsPerDay, s.Pricing)
	}
}

// TestFromConfigMapsTheWorkerHosts: workers.ssh_hosts and max_concurrent_agents_per_host
// reach the settings, and an entry ssh would misread is refused naming its index.
func TestFromConfigMapsTheWorkerHosts(t *testing.T) {
	cfg := config.Defaults()
	cfg.Agent.Runtime = "codex"
	cfg.Issues.States.Active = []string{"Todo"}
	if s := FromConfig(&cfg); len(s.WorkerHosts) != 0 || s.MaxAgentsPerHost != 0 {
		t.Fatalf("worker hosts %v, per host %d by default", s.WorkerHosts, s.MaxAgentsPerHost)
	}
	perHost := 2
	cfg.Workers = config.Workers{SSHHosts: []string{"build-1", "deploy@[::1]:2222"}, MaxConcurrentAgentsPerHost: &perHost}
	s := FromConfig(&cfg)
	if len(s.WorkerHosts) != 2 || s.WorkerHosts[1] != "deploy@[::1]:2222" || s.MaxAgentsPerHost != 2 {
		t.Fatalf("worker hosts %v, per host %d", s.WorkerHosts, s.MaxAgentsPerHost)
	}
	if _, err := s.withDefaults(); err != nil {
		t.Fatalf("valid worker hosts refused: %v", err)
	}
	s.WorkerHosts = append(s.WorkerHosts, "fe80::1")
	if _, err := s.withDefaults(); err == nil || !strings.Contains(err.Error(), "workers.ssh_hosts[2]") {
		t.Fatalf("an unbracketed IPv6 host gave %v, want an error naming workers.ssh_hosts[2]", err)
	}
	s.WorkerHosts, s.MaxAgentsPerHost = nil, -1
	if _, err := s.withDefaults(); err == nil || !strings.Contains(err.Error(), "workers.max_concurrent_agents_per_host") {
		t.Fatalf("a negative per-host cap gave %v", err)
	}
}
