package claude

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// Session is a Claude Code agent for one worker attempt. The settings directory lives as long
// as the session; each turn is its own process.
type Session struct {
	opts      Options
	exe       string
	args      []string
	workspace string
	dir       privateDir
	// sandboxTemp is the claude process's TMPDIR, where its sandbox keeps its sockets and
	// mount placeholders (see sandbox/runtimetemp.go); "" for a session on a worker host.
	sandboxTemp string
	// mounts records before each local turn which of opts.MountPoints are absent, and sweeps
	// the empty ones the turn's sandbox left once its process tree is gone; nil on a worker
	// host.
	mounts *agent.MountPoints

	// usage is the sum of the finished turns' result usage; lastSession is the Claude session
	// id of the last turn, for --resume. Both are written by RunTurn only.
	usage       agent.TokenUsage
	lastSession string
	turns       int
	// resumeErr is why Start could not continue opts.ResumeSession; written by Start only.
	resumeErr error

	mu      sync.Mutex
	proc    *jsonl.Process // the running turn's process, nil between turns
	stopped bool
}

var _ agent.Session = (*Session)(nil)

// New returns a session; nothing runs until Start.
func New(opts Options) *Session {
	s := &Session{opts: opts.withDefaults()}
	if s.opts.Remote == nil {
		s.mounts = agent.NewMountPoints(s.opts.MountPoints, s.opts.MountPointRecord)
	}
	return s
}

// Start checks the workspace and the command, so a missing claude is reported before any turn,
// writes the private settings directory (on the worker host for a remote session) and, for a
// local session, makes the sandbox temp dir.
func (s *Session) Start(context.Context) error {
	if s.opts.Remote != nil {
		return s.startRemote()
	}
	ws, err := agent.CheckWorkspace(s.opts.WorkspaceRoot, s.opts.Workspace)
	if err != nil {
		return err
	}
	s.workspace = ws
	if s.exe, s.args, err = resolveCommand(s.opts.Command, ws, s.opts.Env); err != nil {
		return err
	}
	if s.dir, err = newPrivateDir(s.opts.TempRoot, ws); err != nil {
		return err
	}
	if id := s.opts.ResumeSession; id != "" {
		s.resume(id, findTranscript(s.opts.Env, id))
	}
	if err := writeJSON(s.dir.settings(), s.opts.Settings); err != nil {
		s.removeDir()
		return err
	}
	if err := writeJSON(s.dir.mcpConfig(), map[string]any{"mcpServers": s.mcpServers()}); err != nil {
		s.removeDir()
		return err
	}
	if s.sandboxTemp, err = agent.NewSandboxTempDir(); err != nil {
		s.removeDir()
		return agent.Errorf(agent.CodeSettingsWrite, "%w", err)
	}
	return nil
}

// resume continues the kept Claude session id unless its transcript could not be found
// (missing), in which case the first turn starts a new conversation.
func (s *Session) resume(id string, missing error) {
	if s.resumeErr = missing; missing == nil {
		s.lastSession = id
		return
	}
	s.opts.Logger.Warn("the claude session to resume is gone; starting a new one", "session_id", id, "error", missing.Error())
}

// mcpServers is the mcpServers map of mcp_config.json.
func (s *Session) mcpServers() map[string]any {
	if s.opts.MCPServers == nil {
		return map[string]any{}
	}
	return s.opts.MCPServers
}

// resolveCommand splits agent.command and finds its executable: a word with a slash is a
// path (relative to the workspace), any other is looked up on the child's PATH.
func resolveCommand(command, workspace string, env []string) (string, []string, error) {
	words, err := sandbox.ShellWords(command)
	if err != nil {
		return "", nil, agent.Errorf(agent.CodeInvalidOptions, "agent.command: %w", err)
	}
	if len(words) == 0 {
		return "", nil, agent.Errorf(agent.CodeInvalidOptions, "agent.command is empty")
	}
	exe := words[0]
	if strings.Contains(exe, "/") {
		if !filepath.IsAbs(exe) {
			exe = filepath.Join(workspace, exe)
		}
		if info, err := os.Stat(exe); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return "", nil, agent.Errorf(agent.CodeClaudeNotFound, "agent.command %q: %s is not an executable file", command, exe)
		}
		return exe, words[1:], nil
	}
	found, err := lookPath(exe, envValue(env, "PATH"))
	if err != nil {
		return "", nil, agent.Errorf(agent.CodeClaudeNotFound, "agent.command %q: %s not found on the agent's PATH %q", command, exe, envValue(env, "PATH"))
	}
	return found, words[1:], nil
}

func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// argv is the turn's arguments after the executable: the operator's words, then Symphony's
// settings, MCP config and output format. The prompt is never among them.
func (s *Session) argv() []string {
	args := slices.Clone(s.args)
	if !slices.Contains(args, "-p") && !slices.Contains(args, "--print") {
		args = append(args, "--print")
	}
	args = append(args, "--setting-sources", "", "--settings", s.dir.settings(),
		"--mcp-config", s.dir.mcpConfig(), "--strict-mcp-config", "--output-format", "stream-json")
	if !slices.Contains(args, "--verbose") {
		args = append(args, "--verbose")
	}
	if s.lastSession != "" && (s.opts.Resume || s.turns == 1) {
		args = append(args, "--resume", s.lastSession)
	}
	return args
}

// env is the child's environment: the allow-listed one without non-essential traffic
// (telemetry, update checks). TMPDIR is the session's sandbox temp dir, short because Claude's
// sandbox binds its proxy sockets there and a Unix socket path must stay under 108 bytes.
// Claude makes its per-user temp directory (claude-<uid>) inside, and gives that to the
// commands it runs as their TMPDIR: one per session, where it used to be /tmp/claude-<uid>.
// On a worker host the env file on the host sets TMPDIR (see remote.go).
func (s *Session) env() []string {
	env := slices.Clone(s.opts.Env)
	if s.sandboxTemp != "" {
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "TMPDIR=") })
		env = append(env, "TMPDIR="+s.sandboxTemp)
	}
	return append(env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1")
}

// Stop ends a running turn and removes the private directory. The turn's process gets
// SIGTERM: under a supervisor that makes it end the whole tree; the turn then ends its
// process group itself, and only then removes the sandbox temp dir, which a process still
// exiting could otherwise create again.
func (s *Session) Stop(context.Context) error {
	s.mu.Lock()
	s.stopped = true
	proc := s.proc
	s.mu.Unlock()
	if proc != nil {
		_ = syscall.Kill(proc.PID(), syscall.SIGTERM)
		return s.removeDir()
	}
	return errors.Join(s.removeDir(), s.removeSandboxTemp())
}

// removeSandboxTemp removes the sandbox temp dir; a turn started while Stop ran calls it
// again once its process is gone.
func (s *Session) removeSandboxTemp() error {
	if err := agent.RemoveSandboxTempDir(s.sandboxTemp); err != nil {
		return fmt.Errorf("the claude session's %w", err)
	}
	return nil
}

func (s *Session) removeDir() error {
	if s.dir.path == "" {
		return nil
	}
	if s.opts.Remote != nil {
		return s.removeRemote()
	}
	if err := os.RemoveAll(s.dir.path); err != nil {
		return errors.Join(errors.New("remove the claude session directory"), err)
	}
	return nil
}

// PID is the running turn's process id, 0 between turns.
func (s *Session) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.PID()
}

// Usage is the sum of the finished turns' usage.
func (s *Session) Usage() agent.TokenUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage
}
