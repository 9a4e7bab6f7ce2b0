package codex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// RuntimeName is the agent.runtime value that selects this adapter.
const RuntimeName = "codex"

func init() {
	agent.Register(agent.Runtime{
		Name:         RuntimeName,
		Validate:     validateConfig,
		SandboxInput: sandboxInput,
		NewSession:   newRuntimeSession,
	})
}

// validateConfig checks the --config overrides written into agent.command, which the adapter
// passes on to Codex and reads the model provider from: each must be key=value.
func validateConfig(cfg *config.Config) error {
	var errs []error
	for i, ov := range sandbox.CommandConfigOverrides(cfg.Agent.Command) {
		if k, _, ok := strings.Cut(ov, "="); !ok || strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("%s: agent.command: --config override %d %q is not key=value", cfg.Path, i+1, ov))
		}
	}
	return errors.Join(errs...)
}

// sandboxInput names the private CODEX_HOME inside the session directory, as the adapter
// lays it out.
func sandboxInput(in sandbox.Input) sandbox.Input {
	in.CodexHome = filepath.Join(in.SessionDir, "home")
	return in
}

// newRuntimeSession makes the session's private directory, renders the sandbox policy for it
// and builds the session; the adapter creates CODEX_HOME (home) and TMPDIR (tmp) directly
// inside that directory.
func newRuntimeSession(req agent.SessionRequest) (agent.Session, error) {
	if req.Remote != nil {
		// The session makes its directory on the host at launch; nothing is made here.
		dir, err := NewRemoteSessionDir(req.Remote)
		if err != nil {
			return nil, fmt.Errorf("agent session on %s: %w", req.Remote.Host, err)
		}
		return buildRuntimeSession(req, dir)
	}
	if err := os.MkdirAll(req.SessionsRoot, 0o700); err != nil {
		return nil, fmt.Errorf("agent session: %w", err)
	}
	sessionDir, err := NewSessionDir(req.SessionsRoot)
	if err != nil {
		return nil, fmt.Errorf("agent session: %w", err)
	}
	sess, err := buildRuntimeSession(req, sessionDir)
	if err != nil {
		_ = os.RemoveAll(sessionDir)
		return nil, err
	}
	return sess, nil
}

func buildRuntimeSession(req agent.SessionRequest, sessionDir string) (agent.Session, error) {
	cfg := req.Config
	in := cfg.SandboxInput()
	in.Workspace = req.Workspace
	if req.Remote == nil {
		in.GitMetadataRoots = agent.GitMetadataRoots(context.Background(), req.Workspace)
	}
	in.SessionDir = sessionDir
	in.StateRoot, in.LogsRoot, in.ConfigFiles = req.StateRoot, req.LogsRoot, []string{cfg.Path}
	in.Home = req.Home
	pol, err := sandbox.Resolve(sandboxInput(in))
	if err != nil {
		return nil, err
	}
	if req.Remote != nil && pol.Mode() == sandbox.ModeSRT {
		return nil, &agent.Error{Code: agent.CodeUnsupportedSandboxRuntime,
			Message: fmt.Sprintf("agent.permissions.outer_sandbox srt runs only on this machine, not on worker host %s (remote_worker)", req.Remote.Host)}
	}
	params := pol.Codex()
	env, err := sandbox.AgentEnv(AgentEnvSpec(cfg, params.ConfigOverrides))
	if err != nil {
		return nil, err
	}
	env = append(env, req.ExtraEnv...)
	opts := Options{
		Command:                  cfg.Agent.Command,
		LoginShell:               cfg.Agent.LoginShell,
		Env:                      env,
		Secrets:                  req.Secrets,
		WorkspaceRoot:            req.WorkspaceRoot,
		Workspace:                req.Workspace,
		PrivateDir:               sessionDir,
		IssueIdentifier:          req.IssueIdentifier,
		IssueTitle:               req.IssueTitle,
		ApprovalPolicy:           params.ApprovalPolicy,
		AutoApproveAll:           params.AutoApproveAll,
		ThreadSandbox:            params.ThreadSandbox,
		TurnSandboxPolicy:        params.TurnSandboxPolicy,
		ConfigOverrides:          params.ConfigOverrides,
		PermissionProfile:        params.PermissionProfile,
		ReadTimeout:              time.Duration(cfg.Agent.Timeouts.ReadMs) * time.Millisecond,
		TurnTimeout:              time.Duration(cfg.Agent.Timeouts.TurnMs) * time.Millisecond,
		MaxIdenticalToolFailures: identicalFailures(cfg.Agent.Limits.MaxConsecutiveIdenticalToolFailures),
		Tools:                    req.Tools,
		Resume:                   req.Resume,
		Events:                   req.Events,
		HeldFiles:                req.HeldFiles,
		Logger:                   req.Logger,
		Remote:                   req.Remote,
	}
	owned := &ownedSession{dir: sessionDir}
	if req.Remote != nil {
		owned.dir = "" // on the host: the session removes it there itself
	}
	if pol.Mode() == sandbox.ModeSRT {
		if owned.srtTemp, err = agent.NewSandboxTempDir(); err != nil {
			return nil, err
		}
		if owned.srt, err = pol.WriteSRTSettings(filepath.Dir(sessionDir), owned.srtTemp); err != nil {
			_ = owned.closeOwned()
			return nil, err
		}
		opts.LaunchWrapper = owned.srt.Launch
		owned.mounts = agent.NewMountPoints(pol.MountPointCandidates(), req.MountPointRecord)
	}
	// On a worker host the scoped tools reach the agent as Codex dynamic tools, answered over
	// the ssh connection's stdio by this process: no socket or shim has to exist on the host.
	withOwn := req.Tools != nil && pol.Mode() != sandbox.ModeSRT && req.Remote == nil
	if opts.MCPServersTOML, owned.mcp, err = sessionMCPServers(cfg, req.Tools, withOwn, req.MCPShim, req.Home, req.Logger); err != nil {
		_ = owned.closeOwned()
		return nil, err
	}
	owned.Session = New(opts)
	return owned, nil
}

// AgentEnvSpec is what the agent's environment is built from: Symphony's own environment,
// the key variable of the model provider Codex is configured for (in the rendered overrides or
// agent.command), and agent.env_passthrough.
func AgentEnvSpec(cfg *config.Config, overrides []string) sandbox.AgentEnvSpec {
	provider := sandbox.CodexProviderOf("", overrides, cfg.Agent.Command)
	return sandbox.AgentEnvSpec{Environ: os.Environ(), ProviderKey: provider.EnvKey, Passthrough: cfg.Agent.EnvPassthrough}
}

// identicalFailures maps the config's "0 disables" onto the adapter's "negative disables".
func identicalFailures(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// ownedSession removes what the runtime made for the session once the agent has stopped:
// the MCP server and its socket directory, the srt settings file and srt's temp dir, if any,
// the mount points a killed srt left in the workspace, and the session directory, which the
// adapter removes itself unless the launch failed before it was used.
type ownedSession struct {
	*Session
	dir     string
	srt     *sandbox.SRTSession
	srtTemp string
	mcp     *mcpserver.Server
	// mounts are srt's possible mount points in the workspace and git metadata, recorded
	// before srt starts; nil without srt.
	mounts *agent.MountPoints
}

// Start notes which of srt's possible mount points are absent before launching it; a failed
// start has already ended what it launched, so what srt made is swept at once.
func (s *ownedSession) Start(ctx context.Context) error {
	if err := s.mounts.Record(); err != nil {
		s.opts.Logger.Warn("srt's mount points: the record beside the workspace lock", "error", err.Error())
	}
	err := s.Session.Start(ctx)
	if err != nil {
		s.sweepMountPoints()
	}
	return err
}

func (s *ownedSession) Stop(ctx context.Context) error {
	err := s.Session.Stop(ctx)
	s.sweepMountPoints()
	if cerr := s.closeOwned(); err == nil {
		err = cerr
	}
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		err = fmt.Errorf("remove session directory: %w", rerr)
	}
	return err
}

// closeOwned stops the MCP server and removes the srt settings file and srt's temp dir.
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
	errs = append(errs, agent.RemoveSandboxTempDir(s.srtTemp))
	return errors.Join(errs...)
}

// sweepMountPoints removes the mount points srt left, once the agent's process has exited:
// under its supervisor that means srt, bubblewrap and everything sandboxed are gone, and a
// mount point removed under a live sandbox would lift the deny it carries.
func (s *ownedSession) sweepMountPoints() {
	if s.mounts == nil {
		return
	}
	if s.proc != nil {
		select {
		case <-s.proc.Exited():
		default:
			s.opts.Logger.Warn("codex is still running; srt's mount points in the workspace are left", "pid", s.proc.PID())
			return
		}
	}
	s.mounts.SweepLogged(s.opts.Logger, "srt")
}
