package cli

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/symphony-go/symphony/internal/agent"
	// The runtimes this build offers register themselves with the agent registry.
	_ "github.com/symphony-go/symphony/internal/agent/claude"
	_ "github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// newAgentFactory builds a session per attempt with the runtime agent.runtime names in the
// configuration in force, the attempt's scoped tools and the service's paths. Each session
// gets its own private directory under <state-root>/sessions; the runtime's sandbox policy
// denies agent commands the rest of the state root (run store, audit log, other sessions), the
// logs root and symphony.yml. secrets redacts the tracker text handed to the agent outside the
// prompt.
func newAgentFactory(configs *config.Store, ws *liveWorkspaces, stateRoot, logsRoot string, hosts toolHostFactory, secrets *secretscan.Scanner, leftovers *hostLeftovers, logger *slog.Logger) orchestrator.AgentFactory {
	return newSessionFactory(configs.Current, ws, stateRoot, logsRoot, hosts, secrets, leftovers, logger)
}

// newSessionFactory builds sessions from the configuration current returns at each session.
func newSessionFactory(current func() *config.Config, ws *liveWorkspaces, stateRoot, logsRoot string, hosts toolHostFactory, secrets *secretscan.Scanner, leftovers *hostLeftovers, logger *slog.Logger) orchestrator.AgentFactory {
	return func(req orchestrator.AgentRequest) (agent.Session, error) {
		cfg := current()
		rt, err := agent.Lookup(cfg.Agent.Runtime)
		if err != nil {
			return nil, err
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("agent session: home directory: %w", err)
		}
		tools, err := hosts(cfg, req)
		if err != nil {
			return nil, err
		}
		wsRoot := ws.manager().Root()
		var remote *agent.Remote
		if req.Host != "" {
			if remote, err = remoteAgent(cfg, req.Host, leftovers); err != nil {
				return nil, fmt.Errorf("agent session on worker host %s: %w", req.Host, err)
			}
			wsRoot = cfg.Workspaces.Root
			tools = agent.RemoteTools(tools, req.Host)
		}
		return rt.NewSession(agent.SessionRequest{
			Config:           cfg,
			ExtraEnv:         req.Env,
			Remote:           remote,
			WorkspaceRoot:    wsRoot,
			Workspace:        req.Workspace.Path,
			SessionsRoot:     filepath.Join(stateRoot, "sessions"),
			StateRoot:        stateRoot,
			LogsRoot:         logsRoot,
			Home:             home,
			IssueIdentifier:  req.Issue.Identifier,
			IssueTitle:       req.Issue.Title,
			Tools:            tools,
			Resume:           req.Resume,
			Events:           req.Events,
			HeldFiles:        heldFiles(req),
			MountPointRecord: mountPointRecord(req),
			MCPShim:          mcpShim(),
			Secrets:          secrets,
			Logger: logger.With("issue_id", req.Issue.ID, "issue_identifier", req.Issue.Identifier,
				"repo_key", req.Workspace.RepoKey),
		})
	}
}

// mcpShim is this binary as the `symphony mcp-shim` agents run to reach the session's MCP
// server. It is read once: every session start asks, and parsing the build information each
// time cost more than the rest of the answer.
var mcpShim = sync.OnceValue(func() agent.MCPShim {
	exe, err := os.Executable()
	v, _ := buildVersion(version, commit, debug.ReadBuildInfo)
	return agent.MCPShim{Executable: exe, Err: err, Version: v}
})

// mountPointRecord is where a local sandboxed session keeps the record of its sandbox's
// mount points: beside the workspace lock it holds.
func mountPointRecord(req orchestrator.AgentRequest) string {
	if req.Lock == nil || req.Host != "" {
		return ""
	}
	return req.Lock.MountPointRecordPath()
}

// heldFiles is the workspace lock for the agent's supervisor to keep until the agent is gone.
func heldFiles(req orchestrator.AgentRequest) []*os.File {
	if req.Lock == nil {
		return nil
	}
	return []*os.File{req.Lock.File()}
}
