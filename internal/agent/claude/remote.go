package claude

import (
	"context"
	"errors"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// A session on a worker host (Options.Remote) keeps its private directory (env file,
// settings.json, mcp_config.json, the mount point candidates) under Remote.SessionsRoot on the
// host, written over ssh at Start and removed at Stop. Each turn is `ssh ... -- <launch>` with
// the prompt on ssh's stdin, so it is never written on the host; the launch records the remote
// process group and which mount point candidates are absent, and when the turn ends the group
// is killed and the mount points a killed sandbox left are removed. Symphony's MCP server
// stays on this machine: each turn's ssh forwards a socket in the private directory to it
// (Options.Forwards), and the symphony binary copied to the host bridges Claude's stdio to
// that socket. TMPDIR is not the private directory: Claude's sandbox binds its proxy sockets
// there, and below the sessions root their paths outgrow a Unix socket address (tried: the
// sandboxed Bash command then never runs). Nor is it the host's own, where the empty
// directories the sandbox never removes would pile up: as locally, the session gets a short
// TMPDIR of its own on the host (CreateSandboxSessionDir), removed with the private directory.

// remoteSessionPrefix names the private directories of Claude sessions on a host.
const remoteSessionPrefix = "claude-"

// startRemote prepares the private directory on the host. A failure of ssh is the host's.
func (s *Session) startRemote() error {
	words, err := sandbox.ShellWords(s.opts.Command)
	if err != nil {
		return agent.Errorf(agent.CodeInvalidOptions, "agent.command: %w", err)
	}
	if len(words) == 0 {
		return agent.Errorf(agent.CodeInvalidOptions, "agent.command is empty")
	}
	// The program is found by the host's login shell on its own PATH.
	s.exe, s.args = words[0], words[1:]
	r, dir := s.opts.Remote, s.opts.PrivateDir
	if err := r.CheckRemoteWorkspace(s.opts.WorkspaceRoot, s.opts.Workspace, dir); err != nil {
		return err
	}
	s.workspace = s.opts.Workspace
	env, err := agent.RemoteEnvFile(s.env())
	if err != nil {
		return err
	}
	pd := privateDir{path: dir}
	var files []agent.RemoteFile
	for _, f := range []struct {
		name string
		v    any
	}{{pd.settings(), s.opts.Settings}, {pd.mcpConfig(), map[string]any{"mcpServers": s.mcpServers()}}} {
		data, err := encodeJSON(f.name, f.v)
		if err != nil {
			return err
		}
		files = append(files, agent.RemoteFile{Path: f.name, Data: data})
	}
	if candidates := s.mountPointCandidates(); candidates != "" {
		files = append(files, agent.RemoteFile{Path: dir + "/" + sshworker.MountPointCandidatesFile, Data: []byte(candidates)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), agent.RemoteSetupTimeout)
	defer cancel()
	if err := r.CreateSandboxSessionDir(ctx, dir, env, files...); err != nil {
		return err
	}
	s.dir = pd
	if id := s.opts.ResumeSession; id != "" {
		s.resume(id, remoteTranscript(ctx, r, dir, id))
	}
	return nil
}

// mountPointCandidates is the content of the private directory's list of the paths where
// Claude's sandbox may leave mount points on the host, which each turn's launch and end use
// (sshworker.SessionGroupCommand); a path the host's shell cannot be given is not swept.
func (s *Session) mountPointCandidates() string {
	candidates, skipped := sshworker.MountPointCandidates(s.opts.MountPoints)
	if len(skipped) > 0 {
		s.opts.Logger.Warn("paths where claude's sandbox may leave mount points on the worker host are not swept: their names cannot be given to its shell",
			"worker_host", s.opts.Remote.Host, "paths", skipped)
	}
	return candidates
}

// remoteTranscriptScript succeeds when Claude on the host still has the transcript of session
// $2, under the config directory the session's environment ($1/env) gives it.
const remoteTranscriptScript = `set -a; . "$1/env" || exit 3; set +a
d=${CLAUDE_CONFIG_DIR:-$HOME/.claude}
for f in "$d"/projects/*/"$2".jsonl; do [ -f "$f" ] && exit 0; done
echo "no transcript of claude session $2 under $d/projects on the host" >&2
exit 1`

// remoteTranscript is findTranscript on the host: a kept conversation continues only on the
// host that holds it.
func remoteTranscript(ctx context.Context, r *agent.Remote, dir, id string) error {
	if err := checkSessionID(id); err != nil {
		return err
	}
	_, err := r.Run(ctx, []string{"sh", "-c", remoteTranscriptScript, "symphony-claude-transcript", dir, id}, nil)
	return err
}

// remoteArgv is the local ssh argv of one turn on the host.
func (s *Session) remoteArgv() ([]string, error) {
	words := append([]string{s.exe}, s.argv()...)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = sshworker.Quote(w)
	}
	remote, err := agent.RemoteLaunchCommand(s.workspace, s.dir.path, "exec "+strings.Join(quoted, " "))
	if err != nil {
		return nil, agent.Errorf(agent.CodeInvalidOptions, "on worker host %s: %w", s.opts.Remote.Host, err)
	}
	argv, err := s.opts.Remote.Command(remote, s.opts.Forwards...)
	if err != nil {
		return nil, agent.Errorf(agent.CodeInvalidOptions, "on worker host %s: %w", s.opts.Remote.Host, err)
	}
	return argv, nil
}

// endRemoteTurn kills what the turn left of its process group on the host: without a pty
// sshd does not signal the remote side when the local ssh dies.
func (s *Session) endRemoteTurn() {
	ctx, cancel := context.WithTimeout(context.Background(), agent.RemoteSetupTimeout)
	defer cancel()
	if err := s.opts.Remote.KillGroup(ctx, s.dir.path); err != nil {
		s.opts.Logger.Warn("end the claude turn's processes on the worker host", "worker_host", s.opts.Remote.Host, "error", err.Error())
	}
}

// classifyRemoteExit applies sshworker.Classify to a turn's ssh that ended without a result:
// ssh's own exit 255, or any end before the first stream-json line, is the host's failure.
func (s *Session) classifyRemoteExit(e *agent.Error, exitErr error, sawLine bool) {
	var exit *jsonl.ExitError
	if !errors.As(exitErr, &exit) || exit.Kind != jsonl.ExitCode {
		if !sawLine {
			e.Code = agent.CodeWorkerHostUnavailable
		}
		return
	}
	v := sshworker.Classify(sshworker.Exit{Code: exit.Code, HandshakeDone: sawLine, TurnStarted: sawLine, Stderr: []byte(e.StderrTail)})
	if v.HostFailure {
		e.Code = agent.CodeWorkerHostUnavailable
		if v.Reason != "" {
			e.Message += " (" + v.Reason + ")"
		}
		e.Message = "worker host " + s.opts.Remote.Host + ": " + e.Message
	}
}

// removeRemote kills what is left on the host and removes the private directory there.
func (s *Session) removeRemote() error {
	if err := s.opts.Remote.RemoveSession(s.dir.path); err != nil {
		return errors.Join(errors.New("remove the claude session on worker host "+s.opts.Remote.Host), err)
	}
	return nil
}
