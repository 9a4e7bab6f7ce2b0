package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
)

// TestWorkerHostWiringOverARealSSHD builds what the service hands the orchestrator for worker
// hosts (HostWorkspaces, ProbeHost, sessions for AgentRequest.Host) from a symphony.yml and
// SYMPHONY_SSH_CONFIG, and drives each against a real sshd.
func TestWorkerHostWiringOverARealSSHD(t *testing.T) {
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	t.Setenv(sshworker.EnvSSHConfig, fleet.ConfigFile)
	dir := t.TempDir()
	remoteRoot := filepath.Join(host.Root, "ws")
	cfgPath := filepath.Join(dir, "symphony.yml")
	body := "issues: {provider: memory}\nworkspaces: {root: " + remoteRoot + "}\nrepositories:\n  - key: app\n    workflow: WORKFLOW.md\n" +
		"agent:\n  runtime: codex\n  command: codex app-server\nworkers:\n  ssh_hosts: ['" + host.Addr() + "']\n"
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
	ctx := context.Background()

	hostWorkspaces, err := newHostWorkspaces(cfg, filepath.Join(dir, "locks"), logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hostWorkspaces("elsewhere:22"); err == nil {
		t.Fatal("HostWorkspaces accepted a host not in workers.ssh_hosts")
	}
	remoteWS, err := hostWorkspaces(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ws, err := remoteWS.Ensure(ctx, issue.Issue{ID: "1", Identifier: "ABC-1", RepoKey: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(remoteRoot, "app", "ABC-1"); ws.Path != want {
		t.Fatalf("workspace on the host at %s, want %s", ws.Path, want)
	}
	if fi, err := os.Stat(ws.Path); err != nil || !fi.IsDir() {
		t.Fatalf("workspace not made on the host: %v", err)
	}

	if err := probeHost(ctx, host.Addr()); err != nil {
		t.Fatalf("probe of a live host: %v", err)
	}
	ws2, err := newLiveWorkspaces(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	noTools := func(*config.Config, orchestrator.AgentRequest) (agent.ToolRegistry, error) { return nil, nil }
	factory := newAgentFactory(config.NewStore(cfg, os.LookupEnv, logger), ws2, state, filepath.Join(state, "logs"), noTools, secretscan.New(), logger)
	if _, err := factory(orchestrator.AgentRequest{Host: "-oProxyCommand=x", Issue: issue.Issue{ID: "1", Identifier: "ABC-1"}, Workspace: ws}); err == nil {
		t.Fatal("a session for an option-shaped host was built")
	}
	sess, err := factory(orchestrator.AgentRequest{Host: host.Addr(), Issue: issue.Issue{ID: "1", Identifier: "ABC-1"}, Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	host.Stop()
	if err := sess.Start(ctx); agent.CodeOf(err) != agent.CodeWorkerHostUnavailable {
		t.Fatalf("a session on a stopped host started with %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
	_ = sess.Stop(ctx)
	if err := probeHost(ctx, host.Addr()); !errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		t.Fatalf("probe of a stopped host = %v", err)
	}
	host.Start()
	if err := remoteWS.Remove(ctx, "app", "1", "ABC-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ws.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Remove left the workspace on the host: %v", err)
	}
}
