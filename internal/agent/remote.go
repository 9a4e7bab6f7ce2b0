package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/symphony-go/symphony/internal/sshworker"
)

// Failure codes of sessions on SSH worker hosts.
const (
	// CodeWorkerHostUnavailable is ssh's own failure (exit 255) or any failure before the
	// agent's handshake on a worker host: the host is at fault, not the issue.
	CodeWorkerHostUnavailable Code = "worker_host_unavailable"
	// CodeUnsupportedSandboxRuntime refuses an outer sandbox that runs only on this machine.
	CodeUnsupportedSandboxRuntime Code = "unsupported_agent_sandbox_runtime"
)

// Remote says a session's agent runs on an SSH worker host. The agent speaks its protocol over
// the ssh process's stdio exactly as a local agent does over its own; SessionRequest's
// WorkspaceRoot and Workspace are then paths on the host.
type Remote struct {
	// Host is the worker host's key (its workers.ssh_hosts entry).
	Host string
	// Command turns a remote argv, which the host's login shell runs with every word quoted,
	// into the local ssh argv; forwards are Unix sockets of this machine the connection
	// offers on the host (ssh -R).
	Command func(remote []string, forwards ...sshworker.SocketForward) ([]string, error)
	// Run runs a short remote command to completion with stdin, returning its stdout; it
	// ends by ctx's deadline.
	Run func(ctx context.Context, remote []string, stdin io.Reader) ([]byte, error)
	// SessionsRoot is the absolute directory on the host under which each session gets its
	// private directory (CODEX_HOME, TMPDIR), removed when the session stops.
	SessionsRoot string
	// BinDir is the absolute directory on the host where programs Symphony copies there (its
	// own binary, for the MCP shim) are kept, one file per content hash.
	BinDir string
	// ConnectTimeout is how long ssh may take to connect; the agent's handshake is given
	// that much longer than a local one.
	ConnectTimeout time.Duration
	// Unremoved, when set, is told the private directory of a session whose removal failed
	// because the host could not be reached: its agent may still run there, so the caller
	// removes it (RemoveSession) once the host answers again.
	Unremoved func(dir string)
}

// toolsRefusedRemotely are the scoped tools that act on the workspace's git repository from
// this machine; on a worker host the workspace is not here, so they refuse (as the reference's
// do) instead of touching the wrong tree.
var toolsRefusedRemotely = map[string]bool{
	"github_push_branch": true, "github.push_branch": true,
	"github_fetch_origin": true, "github.fetch_origin": true,
}

// CodeUnsupportedForSSHWorker is the tool error code of a tool refused on a worker host.
const CodeUnsupportedForSSHWorker = "unsupported_for_ssh_worker"

// RemoteTools wraps the tools of a session on worker host host: the git push and fetch tools
// answer with unsupported_for_ssh_worker, every other tool is served as before, from this
// machine. Nil stays nil.
func RemoteTools(tools ToolRegistry, host string) ToolRegistry {
	if tools == nil {
		return nil
	}
	return remoteTools{ToolRegistry: tools, host: host}
}

type remoteTools struct {
	ToolRegistry
	host string
}

func (r remoteTools) Call(ctx context.Context, name string, arguments json.RawMessage) ToolResult {
	if !toolsRefusedRemotely[name] {
		return r.ToolRegistry.Call(ctx, name, arguments)
	}
	text, _ := json.Marshal(map[string]any{"success": false, "error": map[string]string{
		"code":    CodeUnsupportedForSSHWorker,
		"message": fmt.Sprintf("%s is not available while the agent runs on worker host %s: the workspace is on that host", name, r.host),
	}})
	return ToolResult{Success: false, Text: string(text)}
}

// SSHRemote is the Remote of host h (its workers.ssh_hosts entry key) reached through tr,
// keeping session directories under sessionsRoot and copied programs in binDir on the host.
func SSHRemote(key string, tr sshworker.Transport, h sshworker.Host, sessionsRoot, binDir string) *Remote {
	connectTimeout := tr.ConnectTimeout
	if connectTimeout <= 0 {
		connectTimeout = sshworker.DefaultConnectTimeout
	}
	return &Remote{
		Host: key,
		Command: func(remote []string, forwards ...sshworker.SocketForward) ([]string, error) {
			return tr.Argv(h, remote, forwards...)
		},
		Run: func(ctx context.Context, remote []string, in io.Reader) ([]byte, error) {
			return tr.Run(ctx, h, remote, in)
		},
		SessionsRoot:   sessionsRoot,
		BinDir:         binDir,
		ConnectTimeout: connectTimeout,
	}
}
