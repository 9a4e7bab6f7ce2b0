package claude

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// RuntimeName is the agent.runtime value that selects this adapter.
const RuntimeName = "claude"

// providerKey is the variable Claude Code reads its API key from; baseURLVar points it at
// another endpoint (a gateway). Both reach the claude process, never the model's commands,
// which Claude's sandbox and its env scrubbing keep them from.
const (
	providerKey = "ANTHROPIC_API_KEY"
	baseURLVar  = "ANTHROPIC_BASE_URL"
)

func init() {
	agent.Register(agent.Runtime{
		Name:         RuntimeName,
		Validate:     validateConfig,
		SandboxInput: func(in sandbox.Input) sandbox.Input { return in },
		NewSession:   newRuntimeSession,
	})
}

// validateConfig refuses what the Claude adapter cannot honour.
func validateConfig(cfg *config.Config) error {
	var errs []error
	if cfg.Agent.MCP.Inherit == "all" {
		errs = append(errs, fmt.Errorf("%s: agent.mcp.inherit: all is not supported with agent.runtime claude; list the servers in agent.mcp.allowed_servers with inherit: allowlist", cfg.Path))
	}
	if cfg.Agent.Permissions.OuterSandbox.Runtime == sandbox.OuterSRT {
		errs = append(errs, fmt.Errorf("%s: agent.permissions.outer_sandbox.runtime: srt applies to the codex runtime only; Claude runs its own sandbox", cfg.Path))
	}
	if n := remoteMCPSocketLen(cfg.Workspaces.Root); len(cfg.Workers.SSHHosts) > 0 && n > sshworker.MaxSocketPath {
		errs = append(errs, fmt.Errorf("%s: workspaces.root: %q is too long for Claude on worker hosts: the MCP socket forwarded into each session's directory there would be %d bytes, over the %d a Unix socket address holds; use a root of at most %d bytes",
			cfg.Path, cfg.Workspaces.Root, n, sshworker.MaxSocketPath, len(cfg.Workspaces.Root)-(n-sshworker.MaxSocketPath)))
	}
	if len(cfg.Workers.SSHHosts) > 0 && cfg.Agent.MCP.Inherit == "allowlist" {
		errs = append(errs, fmt.Errorf("%s: agent.mcp.inherit: allowlist reads ~/.claude.json on this machine, but with workers.ssh_hosts Claude runs on the worker hosts; declare the servers under agent.mcp.servers instead", cfg.Path))
	}
	return errors.Join(errs...)
}

// newRuntimeSession makes the session's private directory, renders the sandbox policy, starts
// Symphony's MCP server for the attempt's tools and builds the session.
func newRuntimeSession(req agent.SessionRequest) (agent.Session, error) {
	if req.Remote != nil {
		return newRemoteRuntimeSession(req)
	}
	if err := os.MkdirAll(req.SessionsRoot, 0o700); err != nil {
		return nil, fmt.Errorf("agent session: %w", err)
	}
	dir, err := os.MkdirTemp(req.SessionsRoot, "claude-")
	if err != nil {
		return nil, fmt.Errorf("agent session: %w", err)
	}
	sess, err := buildRuntimeSession(req, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return sess, nil
}

func buildRuntimeSession(req agent.SessionRequest, dir string) (agent.Session, error) {
	cfg := req.Config
	in := cfg.SandboxInput()
	in.Workspace, in.SessionDir, in.Home = req.Workspace, dir, req.Home
	in.GitMetadataRoots = agent.GitMetadataRoots(context.Background(), req.Workspace)
	in.StateRoot, in.LogsRoot, in.ConfigFiles = req.StateRoot, req.LogsRoot, []string{cfg.Path}
	pol, env, err := policyAndEnv(req, in)
	if err != nil {
		return nil, err
	}
	owned := &ownedSession{dir: dir}
	var own *ownServer
	if req.Tools != nil {
		if req.MCPShim.Err != nil {
			return nil, fmt.Errorf("agent session: locate the symphony binary for mcp-shim: %w", req.MCPShim.Err)
		}
		if owned.mcp, err = mcpserver.Start(req.Tools, mcpserver.Options{Version: req.MCPShim.Version, Logger: req.Logger}); err != nil {
			return nil, fmt.Errorf("agent session: %w", err)
		}
		own = &ownServer{executable: req.MCPShim.Executable, args: owned.mcp.ShimArgs(), token: owned.mcp.Token(), tokenEnv: mcpserver.TokenEnv}
	}
	servers, err := mcpServers(own, cfg.Agent.MCP, req.Home)
	if err != nil {
		owned.closeMCP()
		return nil, err
	}
	opts := sessionOptions(req, env, pol, servers)
	opts.TempRoot = dir
	opts.MountPoints, opts.MountPointRecord = pol.MountPointCandidates(), req.MountPointRecord
	owned.Session = New(opts)
	return owned, nil
}

// policyAndEnv resolves the sandbox policy for in and the claude process's environment:
// AgentEnvSpec's, then the run's own values.
func policyAndEnv(req agent.SessionRequest, in sandbox.Input) (*sandbox.Policy, []string, error) {
	pol, err := sandbox.Resolve(in)
	if err != nil {
		return nil, nil, err
	}
	env, err := sandbox.AgentEnv(AgentEnvSpec(req.Config))
	if err != nil {
		return nil, nil, err
	}
	return pol, append(env, req.ExtraEnv...), nil
}

// sessionOptions are the options of a session for req, wherever it runs.
func sessionOptions(req agent.SessionRequest, env []string, pol *sandbox.Policy, servers map[string]any) Options {
	cfg := req.Config
	timeouts := cfg.Agent.Timeouts
	return Options{
		Command:        cfg.Agent.Command,
		Env:            env,
		WorkspaceRoot:  req.WorkspaceRoot,
		Workspace:      req.Workspace,
		Settings:       pol.ClaudeSettings(slices.Sorted(maps.Keys(servers))),
		MCPServers:     servers,
		TurnTimeout:    time.Duration(timeouts.TurnMs) * time.Millisecond,
		CommandTimeout: commandTimeout(timeouts.CommandMs),
		Resume:         cfg.Agent.Claude.Resume,
		ResumeSession:  resumeSession(req.Resume),
		HeldFiles:      req.HeldFiles,
		Events:         req.Events,
		Logger:         req.Logger,
	}
}

// commandTimeout maps agent.timeouts.command_ms, where 0 or less disables the timer, onto the
// adapter's "negative disables".
func commandTimeout(ms int) time.Duration {
	if ms <= 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// AgentEnvSpec is what the claude process's environment is built from: the sandbox's base
// allowlist, Claude's API key and base URL, and agent.env_passthrough. Tracker, GitHub and
// other provider secrets are never among them.
func AgentEnvSpec(cfg *config.Config) sandbox.AgentEnvSpec {
	return sandbox.AgentEnvSpec{Environ: os.Environ(), ProviderKey: providerKey,
		Passthrough: append(slices.Clone(cfg.Agent.EnvPassthrough), baseURLVar)}
}

// ownedSession stops the session's MCP server and removes its directory once the agent has
// stopped.
type ownedSession struct {
	*Session
	dir string
	mcp *mcpserver.Server
}

func (s *ownedSession) Stop(ctx context.Context) error {
	err := s.Session.Stop(ctx)
	if cerr := s.closeMCP(); err == nil {
		err = cerr
	}
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		err = fmt.Errorf("remove session directory: %w", rerr)
	}
	return err
}

func (s *ownedSession) closeMCP() error {
	if s.mcp == nil {
		return nil
	}
	if err := s.mcp.Close(); err != nil {
		return fmt.Errorf("stop the session's mcp server: %w", err)
	}
	return nil
}

// resumeSession is the Claude session id of a kept conversation, or "".
func resumeSession(kept *agent.KeptThread) string {
	if kept == nil {
		return ""
	}
	return kept.ThreadID
}
