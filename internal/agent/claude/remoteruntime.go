package claude

import (
	"context"
	"fmt"
	"path"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// remoteMCPSocket is the name of the forwarded MCP socket in a session's directory on a host.
const remoteMCPSocket = "mcp.sock"

// newRemoteRuntimeSession builds a session that runs each turn on worker host req.Remote: its
// sandbox policy is rendered for the host's paths (its HOME, the workspace's git roots there),
// Symphony's MCP server runs here and is reached through the symphony binary copied to the
// host and a socket forwarded by each turn's ssh.
func newRemoteRuntimeSession(req agent.SessionRequest) (agent.Session, error) {
	r, cfg := req.Remote, req.Config
	if cfg.Agent.MCP.Inherit == "allowlist" {
		return nil, fmt.Errorf("agent session on worker host %s: agent.mcp.inherit: allowlist reads ~/.claude.json on this machine; declare the servers under agent.mcp.servers", r.Host)
	}
	dir, err := r.NewSessionDir(remoteSessionPrefix)
	if err != nil {
		return nil, fmt.Errorf("agent session on %s: %w", r.Host, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), agent.RemoteSetupTimeout)
	defer cancel()
	home, roots, err := r.HomeAndGitRoots(ctx, req.Workspace)
	if err != nil {
		return nil, err
	}
	in := cfg.SandboxInput()
	in.Workspace, in.SessionDir, in.Home = req.Workspace, dir, home
	in.GitMetadataRoots = roots
	// Symphony's directory on the host (sessions, the copied binary) is its state there.
	in.StateRoot, in.ConfigFiles = path.Dir(r.SessionsRoot), nil
	pol, env, err := policyAndEnv(req, in)
	if err != nil {
		return nil, err
	}
	owned := &ownedSession{}
	var own *ownServer
	var forwards []sshworker.SocketForward
	if req.Tools != nil {
		if own, forwards, owned.mcp, err = remoteMCP(ctx, req, dir); err != nil {
			return nil, err
		}
	}
	servers, err := mcpServers(own, cfg.Agent.MCP, home)
	if err != nil {
		owned.closeMCP()
		return nil, err
	}
	opts := sessionOptions(req, env, pol, servers)
	opts.Remote, opts.PrivateDir, opts.Forwards = r, dir, forwards
	opts.MountPoints = pol.MountPointCandidates()
	owned.Session = New(opts)
	return owned, nil
}

// remoteMCPSocketLen is the length of the MCP socket path of every Claude session on a host
// whose workspaces.root is root.
func remoteMCPSocketLen(root string) int {
	return len(remotews.SessionsRoot(root)) + len("/"+remoteSessionPrefix) + agent.RemoteSessionIDChars + len("/"+remoteMCPSocket)
}

// remoteMCP starts the session's MCP server here, copies the symphony binary to the host for
// the shim and names the socket in the private directory each turn's ssh forwards to the
// server.
func remoteMCP(ctx context.Context, req agent.SessionRequest, dir string) (*ownServer, []sshworker.SocketForward, *mcpserver.Server, error) {
	r := req.Remote
	if req.MCPShim.Err != nil {
		return nil, nil, nil, fmt.Errorf("agent session: locate the symphony binary for mcp-shim: %w", req.MCPShim.Err)
	}
	remoteSock := dir + "/" + remoteMCPSocket
	if len(remoteSock) > sshworker.MaxSocketPath {
		return nil, nil, nil, agent.Errorf(agent.CodeInvalidOptions, "the MCP socket %s on worker host %s is %d bytes, over the %d a Unix socket address holds; choose a shorter workspaces.root",
			remoteSock, r.Host, len(remoteSock), sshworker.MaxSocketPath)
	}
	if r.BinDir == "" {
		return nil, nil, nil, agent.Errorf(agent.CodeInvalidOptions, "worker host %s has no directory for the symphony binary the MCP shim needs", r.Host)
	}
	bin, err := sshworker.InstallExecutable(ctx, r.Run, req.MCPShim.Executable, r.BinDir, "symphony")
	if err != nil {
		return nil, nil, nil, agent.RemoteHostError("copy the symphony binary to worker host "+r.Host, err)
	}
	srv, err := mcpserver.Start(req.Tools, mcpserver.Options{Version: req.MCPShim.Version, Logger: req.Logger})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("agent session: %w", err)
	}
	ep := srv.Endpoint()
	if ep.Network != "unix" {
		_ = srv.Close()
		return nil, nil, nil, fmt.Errorf("agent session on %s: the MCP server listens on %s %s, but only a Unix socket can be forwarded to a worker host", r.Host, ep.Network, ep.Address)
	}
	own := &ownServer{executable: bin, args: []string{"mcp-shim", "--socket", remoteSock}, token: srv.Token(), tokenEnv: mcpserver.TokenEnv}
	return own, []sshworker.SocketForward{{Remote: remoteSock, Local: ep.Address}}, srv, nil
}
