package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/workspace"
)

// `sandbox explain --json` parses, and every path and matrix row it carries is in the text
// output of the same command, each path on one line.
func TestSandboxExplainJSONMatchesText(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "symphony.yml")
	files := map[string]string{
		cfg: "issues: {provider: memory}\nworkspaces: {root: ws}\nrepositories:\n  - key: app\n    workflow: WORKFLOW.md\n" +
			"agent:\n  runtime: codex\n  command: codex app-server\n  permissions:\n    outer_sandbox: {runtime: srt}\n    network: {allowed_domains: [\"api.example.com:8443\"]}\n",
		filepath.Join(dir, "WORKFLOW.md"): "---\nhooks: {}\n---\nWork on {{ issue.identifier }}.\n",
	}
	for path, body := range files {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(dir, "state")
	args := []string{"sandbox", "explain", "--config", cfg, "--state-root", state, "--logs-root", filepath.Join(dir, "logs")}
	code, text, errOut := runCLI(t, args...)
	if code != ExitOK {
		t.Fatalf("explain: exit %d: %s", code, errOut)
	}
	code, raw, errOut := runCLI(t, append(args, "--json")...)
	if code != ExitOK {
		t.Fatalf("explain --json: exit %d: %s", code, errOut)
	}
	var report explainReport
	if err := json.Unmarshal([]byte(raw), &report); err != nil {
		t.Fatalf("explain --json does not parse: %v\n%s", err, raw)
	}
	if report.Repository != "app" || report.Config != cfg || report.Mode != "srt" {
		t.Fatalf("report header = %q %q %q", report.Repository, report.Config, report.Mode)
	}
	sections := textSections(text)
	for title, list := range map[string][]string{"Writable roots": report.WritableRoots, "Read-denied paths": report.ReadDenied, "Write-denied paths": report.WriteDenied} {
		if !slices.Equal(sections[title], list) {
			t.Errorf("text section %q = %v, JSON = %v", title, sections[title], list)
		}
		for i, p := range list {
			if slices.Index(list, p) != i {
				t.Errorf("%s lists %s twice", title, p)
			}
		}
	}
	for _, want := range []string{state, filepath.Join(dir, "logs"), cfg} {
		if !slices.Contains(report.SymphonyState, want) || !slices.Contains(report.ReadDenied, want) {
			t.Errorf("Symphony state %s missing from the JSON deny list %v", want, report.SymphonyState)
		}
	}
	if !slices.Contains(report.Network.Allowed, "api.example.com:8443") || !strings.Contains(text, "api.example.com:8443") {
		t.Errorf("host:port entry missing: %v", report.Network.Allowed)
	}
	for _, r := range report.Matrix {
		if !strings.Contains(text, "\n  "+r.Attack+": "+r.Description+"\n") {
			t.Errorf("text lacks attack %s", r.Attack)
		}
	}
	if !strings.Contains(text, "Approval: "+report.Approval.Summary+"\n") {
		t.Errorf("text lacks the approval summary %q", report.Approval.Summary)
	}
}

// textSections maps each "Title (n):" heading of the text output to its indented items.
func textSections(text string) map[string][]string {
	out := map[string][]string{}
	var title string
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasSuffix(l, "):") && !strings.HasPrefix(l, " "):
			title = l[:strings.LastIndex(l, " (")]
			out[title] = []string{}
		case title != "" && strings.HasPrefix(l, "  "):
			out[title] = append(out[title], strings.TrimPrefix(l, "  "))
		default:
			title = ""
		}
	}
	return out
}

// Each agent session gets its own directory under <state-root>/sessions, and stopping the
// session removes it even when the agent never launched.
func TestAgentFactoryOwnsTheSessionDir(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	body := "issues: {provider: memory}\nworkspaces: {root: ws}\nrepositories:\n  - key: app\n    workflow: WORKFLOW.md\n" +
		"agent:\n  runtime: codex\n  command: codex app-server\n"
	for path, b := range map[string]string{cfgPath: body, filepath.Join(dir, "WORKFLOW.md"): "---\nhooks: {}\n---\nhi\n"} {
		if err := os.WriteFile(path, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ws, err := newLiveWorkspaces(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	noTools := func(*config.Config, orchestrator.AgentRequest) (agent.ToolRegistry, error) { return nil, nil }
	factory := newAgentFactory(config.NewStore(cfg, os.LookupEnv, logger), ws, state, filepath.Join(state, "logs"), noTools, secretscan.New(), nil, logger)
	wsPath := filepath.Join(cfg.Workspaces.Root, "app", "ABC-1")
	if err := os.MkdirAll(wsPath, 0o755); err != nil {
		t.Fatal(err)
	}
	sess, err := factory(orchestrator.AgentRequest{Issue: issue.Issue{ID: "1", Identifier: "ABC-1"}, Workspace: workspace.Workspace{Path: wsPath, RepoKey: "app"}})
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(state, "sessions", "codex-session-*"))
	if len(dirs) != 1 {
		t.Fatalf("session dirs = %v, want one", dirs)
	}
	if err := sess.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Fatalf("session dir %s survives Stop: %v", dirs[0], err)
	}
}
