package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func mapEnv(m map[string]string) Env {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func load(t *testing.T, yml string, env map[string]string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	path := filepath.Join(dir, "symphony.yml")
	writeFile(t, path, yml)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["HOME"]; !ok {
		env["HOME"] = "/home/op"
	}
	return LoadWithEnv(path, mapEnv(env))
}

func mustLoad(t *testing.T, yml string, env map[string]string) *Config {
	t.Helper()
	cfg, err := load(t, yml, env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const minimal = "issues: {provider: memory}\nrepositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\n"

func TestDefaultsMatchReference(t *testing.T) {
	c := mustLoad(t, minimal, nil)
	checks := []struct {
		name      string
		got, want any
	}{
		{"poll interval", c.Issues.PollIntervalMs, 30000},
		{"active states", strings.Join(c.Issues.States.Active, ","), "Todo,In Progress"},
		{"terminal states", strings.Join(c.Issues.States.Terminal, ","), "Closed,Cancelled,Canceled,Duplicate,Done"},
		{"max total", c.Agent.Concurrency.MaxTotal, 10},
		{"max turns", c.Agent.Limits.MaxTurns, 20},
		{"backoff", c.Agent.Limits.RetryBackoffMaxMs, 300000},
		{"tool failures", c.Agent.Limits.MaxConsecutiveIdenticalToolFailures, 5},
		{"tokens per issue", *c.Agent.Limits.TokensPerIssue, int64(500000)},
		{"tokens per day", *c.Agent.Limits.TokensPerDay, int64(5000000)},
		{"turn ms", c.Agent.Timeouts.TurnMs, 3600000},
		{"read ms", c.Agent.Timeouts.ReadMs, 30000},
		{"stall ms", c.Agent.Timeouts.StallMs, 300000},
		{"command ms", c.Agent.Timeouts.CommandMs, 600000},
		{"sandbox", c.Agent.Permissions.Filesystem.Sandbox, "workspace-write"},
		{"network", c.Agent.Permissions.Network.Mode, "allowlist"},
		{"outer", c.Agent.Permissions.OuterSandbox.Runtime, "none"},
		{"hooks timeout", c.Repositories[0].Settings.Hooks.TimeoutMs, 60000},
		{"strategy", c.Repositories[0].Strategy, "clone"},
		{"fetch", c.Repositories[0].FetchBeforeDispatch, true},
		{"workflow", c.Repositories[0].Workflow, "WORKFLOW.md"},
		{"watchdog", c.Watchdog.NoProgressThresholdMs, 600000},
		{"dashboard host", c.Dashboard.Host, "127.0.0.1"},
		{"gate threshold", c.IssueGate.PassThreshold, 6},
		{"checks lines", c.PullRequests.Checks.LogExcerptLines, 200},
		{"escalate", c.PullRequests.Checks.EscalateToState, "In Review"},
		{"orphan", c.Workspaces.Cleanup.OrphanAction, "log"},
		{"soft limit", c.Agent.Prompts.CodexStdioSoftLimitBytes, 65536},
		{"verification range", c.Verification.PortAllocation.Range[1], 4099},
		{"draft PRs", c.GitHub.OpenPullRequestsAsDraft, true},
		{"run_on", c.PrePushReview.RunOn, "always"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if c.Primary().Key != "app" || c.Repo("app") == nil || c.Repo("nope") != nil {
		t.Error("repository lookup")
	}
}

func TestExplicitNullDisablesTokenCaps(t *testing.T) {
	c := mustLoad(t, "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  limits:\n    tokens_per_issue:\n    tokens_per_day: null\n", nil)
	if c.Agent.Limits.TokensPerIssue != nil || c.Agent.Limits.TokensPerDay != nil {
		t.Fatalf("caps not disabled: %v %v", c.Agent.Limits.TokensPerIssue, c.Agent.Limits.TokensPerDay)
	}
}

func TestVariableAndPathResolution(t *testing.T) {
	yml := `issues:
  provider: linear
  linear:
    api_key: $MY_KEY
    assignee: ${WHO}
    scope: {team: ENG}
repositories:
  - key: app
    workflow: sub/../WORKFLOW.md
    workspace: {strategy: worktree, repo: ~/src/app}
workspaces:
  root: $WS_ROOT
agent:
  runtime: codex
  command: codex app-server --flag $NOT_EXPANDED
  permissions:
    filesystem:
      allow_read_paths: ["~/data", "", "~/data", "  "]
  mcp:
    servers:
      tool:
        command: tool
        env: {SET: $SET_VAR, EMPTY: $EMPTY_VAR, MISSING: $MISSING_VAR, LITERAL: "Bearer $X"}
`
	c, err := load(t, yml, map[string]string{"MY_KEY": "lin_secret", "WHO": "me", "WS_ROOT": "/srv/ws", "SET_VAR": "v", "EMPTY_VAR": ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Issues.Linear.APIKey != "lin_secret" || c.Issues.Linear.Assignee != "me" {
		t.Errorf("vars: key %q assignee %q", c.Issues.Linear.APIKey, c.Issues.Linear.Assignee)
	}
	if c.Workspaces.Root != "/srv/ws" {
		t.Errorf("root %q", c.Workspaces.Root)
	}
	if r := c.Repositories[0]; r.SourceRepo != "/home/op/src/app" || r.WorkflowPath != filepath.Join(c.Dir, "WORKFLOW.md") {
		t.Errorf("paths: source %q workflow %q", r.SourceRepo, r.WorkflowPath)
	}
	if c.Agent.Command != "codex app-server --flag $NOT_EXPANDED" {
		t.Errorf("command was rewritten: %q", c.Agent.Command)
	}
	if got := c.Agent.Permissions.Filesystem.AllowReadPaths; len(got) != 1 || got[0] != "/home/op/data" {
		t.Errorf("allow_read_paths = %q", got)
	}
	env := c.Agent.MCP.Servers["tool"].Env
	if env["SET"] != "v" || env["MISSING"] != "$MISSING_VAR" || env["LITERAL"] != "Bearer $X" {
		t.Errorf("mcp env = %v", env)
	}
	if _, ok := env["EMPTY"]; ok {
		t.Errorf("empty variable kept: %v", env)
	}
	secrets := strings.Join(c.Secrets(), ",")
	if !strings.Contains(secrets, "lin_secret") || !strings.Contains(secrets, "v") {
		t.Errorf("secrets = %q", secrets)
	}
}

func TestCanonicalLinearKeyFallback(t *testing.T) {
	yml := "issues: {provider: linear, linear: {scope: {team: ENG}}}\nrepositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\n"
	c, err := load(t, yml, map[string]string{"LINEAR_API_KEY": "from_env"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Issues.Linear.APIKey != "from_env" {
		t.Fatalf("key %q", c.Issues.Linear.APIKey)
	}
	_, err = load(t, strings.Replace(yml, "linear: {", "linear: {api_key: $UNSET, ", 1), map[string]string{"LINEAR_API_KEY": "from_env"})
	if err == nil || !strings.Contains(err.Error(), "issues.linear.api_key: is required") {
		t.Fatalf("an explicit $VAR that is unset must not fall back: %v", err)
	}
}

func TestUnsetPathVariableIsAnError(t *testing.T) {
	_, err := load(t, minimal+"workspaces: {root: $NOPE}\n", nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || !strings.Contains(err.Error(), "workspaces.root: refers to $NOPE, which is not set") {
		t.Fatalf("got %v", err)
	}
	if errs[0].Line != 4 {
		t.Fatalf("line %d", errs[0].Line)
	}
}

func TestEffectiveConfigRedactsSecrets(t *testing.T) {
	c := mustLoad(t, "issues: {provider: linear, linear: {api_key: lin_api_SECRET, scope: {team: E}}}\nrepositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\nnotifications:\n  channels: [{kind: webhook, url: \"https://example.com/hook?token=HOOKSECRET\", headers: {Authorization: \"Bearer HDRSECRET\"}}]\n", nil)
	var b strings.Builder
	if err := c.WriteEffective(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"lin_api_SECRET", "HOOKSECRET", "HDRSECRET"} {
		if strings.Contains(out, secret) {
			t.Errorf("effective config leaks %s", secret)
		}
	}
	if !strings.Contains(out, "[redacted]") || !strings.Contains(out, "# app: workflow ") {
		t.Errorf("unexpected output:\n%s", out)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(minimal)
	f.Add("issues: [\n")
	f.Add("- a\n")
	f.Add("a: &x {b: 1}\nissues: *x\nrepositories: [{<<: *x, key: k}]\n")
	f.Add("agent: {limits: {tokens_per_issue: 99999999999999999999}}\n")
	if data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "automattic-symphony", "symphony.yml")); err == nil {
		f.Add(string(data))
	}
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "WORKFLOW.md"), []byte("body"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := Parse(filepath.Join(dir, "symphony.yml"), []byte(text), mapEnv(map[string]string{"HOME": "/h"}))
		if err != nil {
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, e := range errs {
				if e.Code == "" || e.Msg == "" {
					t.Fatalf("problem without code or message: %+v", e)
				}
			}
			return
		}
		if len(cfg.Repositories) == 0 {
			t.Fatal("a valid config has no repositories")
		}
	})
}

// Tags are looked through: a tagged scalar where a list belongs is a located type error.
func TestTaggedValuesAreTypeChecked(t *testing.T) {
	text := "issues:\n  provider: memory\n  states:\n    active: !000000\n      " + strings.Repeat("0", 118) + "\nrepositories: [{key: a}]\nagent: {runtime: codex, command: codex app-server}\n"
	_, err := load(t, text, nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "issues.states.active" || errs[0].Line != 5 || !strings.Contains(errs[0].Msg, "must be a list") {
		t.Fatalf("got %v", err)
	}
}

func TestPullRequestStatesDefaultToTheReferenceNamesAndCanBeRenamed(t *testing.T) {
	c := mustLoad(t, minimal+"pull_requests: {enabled: true, rework_state: \" \"}\n", nil)
	pr := c.PullRequests
	if pr.ReviewState != "In Review" || pr.ReworkState != "In Progress" || pr.MergeState != "In Progress" {
		t.Fatalf("default states = %q %q %q", pr.ReviewState, pr.ReworkState, pr.MergeState)
	}
	c = mustLoad(t, minimal+"pull_requests: {review_state: Review, rework_state: Doing, merge_state: Landing}\n", nil)
	pr = c.PullRequests
	if pr.ReviewState != "Review" || pr.ReworkState != "Doing" || pr.MergeState != "Landing" {
		t.Fatalf("renamed states = %q %q %q", pr.ReviewState, pr.ReworkState, pr.MergeState)
	}
}
