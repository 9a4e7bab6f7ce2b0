package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestWorkerHostWiringOverARealSSHD builds what the service hands the orchestrator for worker
// hosts (HostWorkspaces, ProbeHost, sessions for AgentRequest.Host) from a symphony.yml and
// SYMPHONY_SSH_CONFIG, and drives each against a real sshd.
func TestWorkerHostWiringOverARealSSHD(t *testing.T) {
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	t.Setenv(sshworker.EnvSSHConfig, fleet.ConfigFile)
	remoteRoot := filepath.Join(host.Root, "ws")
	dir, cfg := workerConfig(t, host, remoteRoot, "codex app-server")
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
	factory := newAgentFactory(config.NewStore(cfg, os.LookupEnv, logger), ws2, state, filepath.Join(state, "logs"), noTools, secretscan.New(), nil, logger)
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

// workerConfig writes and loads a symphony.yml with one worker host, its workspaces.root on
// the host at remoteRoot, and agent.command command.
func workerConfig(t *testing.T, host *sshdtest.Host, remoteRoot, command string) (string, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	body := "issues: {provider: memory}\nworkspaces: {root: " + remoteRoot + "}\nrepositories:\n  - key: app\n    workflow: WORKFLOW.md\n" +
		"agent:\n  runtime: codex\n  command: " + strconv.Quote(command) + "\n  timeouts: {read_ms: 30000, turn_ms: 90000}\n" +
		"workers:\n  ssh_hosts: ['" + host.Addr() + "']\n"
	for path, b := range map[string]string{cfgPath: body, filepath.Join(dir, "WORKFLOW.md"): "---\nhooks: {}\n---\nhi\n"} {
		if err := os.WriteFile(path, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

// TestRealCodexRunsATurnInARemoteWorkspace runs the real codex, against the mock model API,
// in a workspace the host's workspaces made, through the session the service builds for
// AgentRequest.Host; the session's private directory on the host goes with Stop and the
// workspace with Remove.
func TestRealCodexRunsATurnInARemoteWorkspace(t *testing.T) {
	bin := testenv.Codex(t)
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	t.Setenv(sshworker.EnvSSHConfig, fleet.ConfigFile)
	t.Setenv("MOCK_API_KEY", "remote-e2e")
	mock := codextest.NewResponses(t, codextest.Step{Shell: "echo remote > proof.txt"}, codextest.Step{Text: "done"})
	provider := fmt.Sprintf(`model_providers.mock={name="Mock",base_url="%s",wire_api="responses",env_key="MOCK_API_KEY",request_max_retries=0,stream_max_retries=0}`, mock.URL)
	command := fmt.Sprintf("%s --config '%s' --config model_provider=mock --config model=gpt-5.1-codex app-server", bin, provider)
	remoteRoot := filepath.Join(host.Root, "ws")
	dir, cfg := workerConfig(t, host, remoteRoot, command)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	hostWorkspaces, err := newHostWorkspaces(cfg, filepath.Join(dir, "locks"), logger)
	if err != nil {
		t.Fatal(err)
	}
	remoteWS, err := hostWorkspaces(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	iss := issue.Issue{ID: "1", Identifier: "ABC-1", Title: "remote", RepoKey: "app"}
	ws, err := remoteWS.Ensure(ctx, iss)
	if err != nil {
		t.Fatal(err)
	}
	local, err := newLiveWorkspaces(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	noTools := func(*config.Config, orchestrator.AgentRequest) (agent.ToolRegistry, error) { return nil, nil }
	factory := newAgentFactory(config.NewStore(cfg, os.LookupEnv, logger), local, state, filepath.Join(state, "logs"), noTools, secretscan.New(), nil, logger)
	sess, err := factory(orchestrator.AgentRequest{Host: host.Addr(), Issue: iss, Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Stop(context.Background()) })
	if err := sess.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	res, err := sess.RunTurn(ctx, "prove you ran")
	if err != nil || res.LastMessage != "done" {
		t.Fatalf("RunTurn = %+v, %v", res, err)
	}
	if b, err := os.ReadFile(filepath.Join(ws.Path, "proof.txt")); err != nil || string(b) != "remote\n" {
		t.Fatalf("proof.txt in the remote workspace: %q, %v", b, err)
	}
	sessions := filepath.Join(remoteRoot, ".symphony", "sessions")
	if left, _ := filepath.Glob(filepath.Join(sessions, "codex-session-*")); len(left) != 1 {
		t.Fatalf("session directories on the host while running: %v, want one", left)
	}
	if err := sess.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(sessions, "codex-session-*")); len(left) != 0 {
		t.Fatalf("session directories left on the host after Stop: %v", left)
	}
	if local, _ := filepath.Glob(filepath.Join(state, "sessions", "*")); len(local) != 0 {
		t.Fatalf("a remote session made local session directories: %v", local)
	}
	if err := remoteWS.Remove(ctx, "app", "1", "ABC-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ws.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Remove left the workspace on the host: %v", err)
	}
}
