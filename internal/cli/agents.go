package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// newAgentFactory builds a Codex session per attempt from the configuration in force, with
// the sandbox policy rendered for that attempt's workspace, the attempt's scoped tools and an
// allow-listed environment. Each session gets its own private directory under
// <state-root>/sessions; the policy denies agent commands the rest of the state root (run store,
// audit log, other sessions), the logs root and symphony.yml. secrets redacts the tracker text
// handed to the agent outside the prompt (the thread name).
func newAgentFactory(configs *config.Store, ws *liveWorkspaces, stateRoot, logsRoot string, hosts toolHostFactory, secrets *secretscan.Scanner, logger *slog.Logger) orchestrator.AgentFactory {
	return func(req orchestrator.AgentRequest) (agent.Session, error) {
		cfg := configs.Current()
		if cfg.Agent.Runtime != "codex" {
			return nil, fmt.Errorf("agent.runtime %q has no adapter in this build", cfg.Agent.Runtime)
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("agent session: home directory: %w", err)
		}
		sessions := filepath.Join(stateRoot, "sessions")
		if err := os.MkdirAll(sessions, 0o700); err != nil {
			return nil, fmt.Errorf("agent session: %w", err)
		}
		sessionDir, err := codex.NewSessionDir(sessions)
		if err != nil {
			return nil, fmt.Errorf("agent session: %w", err)
		}
		host, err := hosts(cfg, req)
		if err != nil {
			_ = os.RemoveAll(sessionDir)
			return nil, err
		}
		sess, err := newCodexSession(cfg, ws, req, host, secrets, sessionDir, home, stateRoot, logsRoot, logger)
		if err != nil {
			_ = os.RemoveAll(sessionDir)
			return nil, err
		}
		return sess, nil
	}
}

// newCodexSession renders the sandbox policy for one session directory and builds the
// session; the adapter creates CODEX_HOME (home) and TMPDIR (tmp) directly inside it.
func newCodexSession(cfg *config.Config, ws *liveWorkspaces, req orchestrator.AgentRequest, tools agent.ToolRegistry, secrets *secretscan.Scanner, sessionDir, home, stateRoot, logsRoot string, logger *slog.Logger) (agent.Session, error) {
	in := cfg.SandboxInput()
	in.Workspace = req.Workspace.Path
	in.GitMetadataRoots = codex.GitMetadataRoots(context.Background(), req.Workspace.Path)
	in.SessionDir = sessionDir
	in.CodexHome = filepath.Join(sessionDir, "home")
	in.StateRoot, in.LogsRoot, in.ConfigFiles = stateRoot, logsRoot, []string{cfg.Path}
	in.Home = home
	pol, err := sandbox.Resolve(in)
	if err != nil {
		return nil, err
	}
	params := pol.Codex()
	env, err := sandbox.AgentEnv(agentEnvSpec(cfg, params.ConfigOverrides))
	if err != nil {
		return nil, err
	}
	opts := codex.Options{
		Command:                  cfg.Agent.Command,
		LoginShell:               cfg.Agent.LoginShell,
		Env:                      env,
		Secrets:                  secrets,
		WorkspaceRoot:            ws.manager().Root(),
		Workspace:                req.Workspace.Path,
		PrivateDir:               sessionDir,
		IssueIdentifier:          req.Issue.Identifier,
		IssueTitle:               req.Issue.Title,
		ApprovalPolicy:           params.ApprovalPolicy,
		AutoApproveAll:           params.AutoApproveAll,
		ThreadSandbox:            params.ThreadSandbox,
		TurnSandboxPolicy:        params.TurnSandboxPolicy,
		ConfigOverrides:          params.ConfigOverrides,
		PermissionProfile:        params.PermissionProfile,
		ReadTimeout:              time.Duration(cfg.Agent.Timeouts.ReadMs) * time.Millisecond,
		TurnTimeout:              time.Duration(cfg.Agent.Timeouts.TurnMs) * time.Millisecond,
		MaxIdenticalToolFailures: identicalFailures(cfg.Agent.Limits.MaxConsecutiveIdenticalToolFailures),
		Tools:                    tools,
		Events:                   req.Events,
		HeldFiles:                heldFiles(req),
		Logger: logger.With("issue_id", req.Issue.ID, "issue_identifier", req.Issue.Identifier,
			"repo_key", req.Workspace.RepoKey),
	}
	owned := &ownedSession{dir: sessionDir}
	if pol.Mode() == sandbox.ModeSRT {
		if owned.srt, err = pol.WriteSRTSettings(filepath.Dir(sessionDir)); err != nil {
			return nil, err
		}
		opts.LaunchWrapper = owned.srt.Launch
	}
	if opts.MCPServersTOML, owned.mcp, err = sessionMCPServers(cfg, tools, tools != nil && pol.Mode() != sandbox.ModeSRT, home, opts.Logger); err != nil {
		owned.closeOwned()
		return nil, err
	}
	owned.Session = codex.New(opts)
	return owned, nil
}

// sessionMCPServers starts Symphony's MCP server for the session's tools (when withOwn: the
// session has tools and runs outside srt) and renders the session's [mcp_servers.*] tables
// with it and the servers agent.mcp adds.
//
// Under srt the own server stays off: on Linux srt's seccomp filter refuses every Unix
// socket the shim would open (allowUnixSockets is honoured on macOS only) and srt refuses
// loopback TCP to the host, so the only way in would be allowAllUnixSockets, which opens
// every socket on the host (docker.sock, ssh-agent, D-Bus) to agent commands. Measured with
// srt 0.0.78 on Linux: socket() fails with EPERM despite allowUnixSockets naming the socket's
// directory, connect to a host 127.0.0.1 listener is refused even with 127.0.0.1 allowed,
// and with allowAllUnixSockets a socket in an unrelated directory answers. The same tools
// reach the agent as Codex dynamic tools.
func sessionMCPServers(cfg *config.Config, tools agent.ToolRegistry, withOwn bool, home string, logger *slog.Logger) (string, *mcpserver.Server, error) {
	operatorFile := operatorCodexConfig(home)
	operator := map[string]any{}
	if cfg.Agent.MCP.Inherit != "none" {
		var err error
		if operator, err = readOperatorMCPServers(operatorFile); err != nil {
			return "", nil, err
		}
	}
	var srv *mcpserver.Server
	var own *ownMCPServer
	if withOwn {
		exe, err := os.Executable()
		if err != nil {
			return "", nil, fmt.Errorf("agent session: locate the symphony binary for mcp-shim: %w", err)
		}
		v, _ := buildVersion(version, commit, debug.ReadBuildInfo)
		if srv, err = mcpserver.Start(tools, mcpserver.Options{Version: v, Logger: logger}); err != nil {
			return "", nil, fmt.Errorf("agent session: %w", err)
		}
		own = ownServerOf(srv, exe)
	}
	tables, err := codexMCPServersTOML(own, cfg.Agent.MCP, operator, operatorFile)
	if err != nil {
		if srv != nil {
			srv.Close()
		}
		return "", nil, err
	}
	return tables, srv, nil
}

// agentEnvSpec is what the agent's environment is built from: Symphony's own environment,
// the key variable of the model provider Codex is configured for (in the rendered overrides or
// agent.command), and agent.env_passthrough.
func agentEnvSpec(cfg *config.Config, overrides []string) sandbox.AgentEnvSpec {
	provider := sandbox.CodexProviderOf("", append(slices.Clone(overrides), sandbox.CommandConfigOverrides(cfg.Agent.Command)...))
	return sandbox.AgentEnvSpec{Environ: os.Environ(), ProviderKey: provider.EnvKey, Passthrough: cfg.Agent.EnvPassthrough}
}

// heldFiles is the workspace lock for the agent's supervisor to keep until the agent is gone.
func heldFiles(req orchestrator.AgentRequest) []*os.File {
	if req.Lock == nil {
		return nil
	}
	return []*os.File{req.Lock.File()}
}

// identicalFailures maps the config's "0 disables" onto the adapter's "negative disables".
func identicalFailures(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// ownedSession removes what the factory made for the session once the agent has stopped:
// the MCP server and its socket directory, the srt settings file, if any, and the session
// directory, which the adapter removes itself unless the launch failed before it was used.
type ownedSession struct {
	*codex.Session
	dir string
	srt *sandbox.SRTSession
	mcp *mcpserver.Server
}

func (s *ownedSession) Stop(ctx context.Context) error {
	err := s.Session.Stop(ctx)
	if cerr := s.closeOwned(); err == nil {
		err = cerr
	}
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		err = fmt.Errorf("remove session directory: %w", rerr)
	}
	return err
}

// closeOwned stops the MCP server and removes the srt settings file.
func (s *ownedSession) closeOwned() error {
	var errs []error
	if s.mcp != nil {
		if err := s.mcp.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stop the session's mcp server: %w", err))
		}
	}
	if s.srt != nil {
		errs = append(errs, s.srt.Close())
	}
	return errors.Join(errs...)
}
