package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// newAgentFactory builds a Codex session per attempt from the configuration in force, with
// the sandbox policy rendered for that attempt's workspace.
func newAgentFactory(configs *config.Store, ws *liveWorkspaces, stateRoot string, logger *slog.Logger) orchestrator.AgentFactory {
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
		in := cfg.SandboxInput()
		in.Workspace = req.Workspace.Path
		in.GitMetadataRoots = codex.GitMetadataRoots(context.Background(), req.Workspace.Path)
		in.SessionDir = sessions
		in.Home = home
		pol, err := sandbox.Resolve(in)
		if err != nil {
			return nil, err
		}
		params := pol.Codex()
		opts := codex.Options{
			Command:                  cfg.Agent.Command,
			WorkspaceRoot:            ws.manager().Root(),
			Workspace:                req.Workspace.Path,
			StateDir:                 sessions,
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
			Events:                   req.Events,
			HeldFiles:                heldFiles(req),
			Logger: logger.With("issue_id", req.Issue.ID, "issue_identifier", req.Issue.Identifier,
				"repo_key", req.Workspace.RepoKey),
		}
		if pol.Mode() != sandbox.ModeSRT {
			return codex.New(opts), nil
		}
		srt, err := pol.WriteSRTSettings(sessions)
		if err != nil {
			return nil, err
		}
		opts.LaunchWrapper = srt.Launch
		return &srtSession{Session: codex.New(opts), srt: srt}, nil
	}
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

// srtSession removes the session's srt settings file once the agent has stopped.
type srtSession struct {
	*codex.Session
	srt *sandbox.SRTSession
}

func (s *srtSession) Stop(ctx context.Context) error {
	err := s.Session.Stop(ctx)
	if cerr := s.srt.Close(); err == nil {
		err = cerr
	}
	return err
}
