package claude

import (
	"log/slog"
	"os"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// Defaults for Options fields left zero.
const (
	DefaultTurnTimeout    = time.Hour
	DefaultCommandTimeout = 10 * time.Minute
	// DefaultResultGrace is how long a turn waits for Claude to exit after its result line
	// before it ends the process group anyway: a tool child that lingers must not wedge the
	// worker.
	DefaultResultGrace = 1500 * time.Millisecond
	// exitWait bounds the wait for a killed process group to be reaped.
	exitWait = 5 * time.Second
)

// Options configure a Session.
type Options struct {
	// Command is agent.command: shell-like words, not run through a shell. The first word is
	// the executable, looked up on the PATH of Env unless it contains a slash.
	Command string
	// Env is the child's environment, already allow-listed (sandbox.AgentEnv). The session
	// turns off Claude's non-essential traffic.
	Env []string
	// WorkspaceRoot and Workspace: the agent runs in Workspace, which must be strictly inside
	// WorkspaceRoot.
	WorkspaceRoot string
	Workspace     string
	// TempRoot holds the session's private directory; "" means the system temp directory. It
	// must not be inside the workspace.
	TempRoot string
	// Settings is rendered into the session's settings.json.
	Settings sandbox.ClaudeSettings
	// MCPServers is the mcpServers map of the session's mcp_config.json, by server name.
	MCPServers map[string]any
	// TurnTimeout bounds a turn (agent.timeouts.turn_ms); CommandTimeout bounds a tool call
	// with no result yet (agent.timeouts.command_ms), negative disables it; ResultGrace is
	// the wait for an exit after the result line.
	TurnTimeout    time.Duration
	CommandTimeout time.Duration
	ResultGrace    time.Duration
	// Resume continues the previous turn's Claude session (--resume) on later turns instead of
	// starting a fresh conversation each turn (agent.claude.resume).
	Resume bool
	// ResumeSession is a Claude session an earlier Session kept (KeepThread): the first turn
	// continues it with --resume when its transcript is still there, and otherwise starts a
	// new conversation (ResumeErr says why).
	ResumeSession string
	// Remote runs each turn on an SSH worker host: WorkspaceRoot and Workspace are paths
	// there, PrivateDir is the session's directory there (made at Start, removed at Stop),
	// and Forwards are the sockets of this machine each turn's ssh offers on the host.
	Remote     *agent.Remote
	PrivateDir string
	Forwards   []sshworker.SocketForward
	// MountPoints are the paths where Claude's sandbox may create mount points
	// (sandbox.MountPointCandidates), on the worker host for a remote session; after each
	// turn the empty ones it left, which a killed Claude never removes, are removed.
	MountPoints []string
	// MountPointRecord is where the record of those mount points is kept while a local turn
	// runs (agent.SessionRequest.MountPointRecord); a remote session keeps it in its private
	// directory on the host.
	MountPointRecord string
	// HeldFiles (the workspace lock) stay open in each turn's supervisor until the turn's
	// process tree is gone.
	HeldFiles []*os.File
	Events    agent.EventSink
	Logger    *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.TurnTimeout <= 0 {
		o.TurnTimeout = DefaultTurnTimeout
	}
	if o.CommandTimeout == 0 {
		o.CommandTimeout = DefaultCommandTimeout
	}
	if o.ResultGrace <= 0 {
		o.ResultGrace = DefaultResultGrace
	}
	if o.Events == nil {
		o.Events = func(agent.Event) {}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
