package codex

import (
	"context"
	"errors"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// A session on a worker host (Options.Remote) runs `ssh ... -- <remote command>` as its agent
// process (agent.RemoteLaunchCommand), with CODEX_HOME and TMPDIR in the session's private
// directory on the host, which agent.Remote makes before launch and removes, with the agent's
// process group killed, when the session ends.

// NewRemoteSessionDir names a fresh private directory under the host's sessions root; the
// session creates it at launch.
func NewRemoteSessionDir(r *agent.Remote) (string, error) {
	return r.NewSessionDir(sessionDirPrefix)
}

// launchRemote prepares the private directory on the host and starts ssh.
func (s *Session) launchRemote() error {
	r := s.opts.Remote
	dir := s.opts.PrivateDir
	if err := r.CheckRemoteWorkspace(s.opts.WorkspaceRoot, s.opts.Workspace, dir); err != nil {
		return err
	}
	s.workspace = s.opts.Workspace
	env, err := agent.RemoteEnvFile(s.opts.Env, "CODEX_HOME="+dir+"/home", "TMPDIR="+dir+"/tmp")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), agent.RemoteSetupTimeout)
	defer cancel()
	config := agent.RemoteFile{Path: dir + "/home/config.toml", Data: []byte(sessionConfigTOML(s.opts.ConfigTOML, s.opts.MCPServersTOML))}
	if err := r.CreateSessionDir(ctx, dir, []string{"home", "tmp"}, env, config); err != nil {
		return err
	}
	s.dirs = privateDirs{root: dir, home: dir + "/home", tmp: dir + "/tmp"}
	if s.sendsWorkspaceWritePolicy() {
		s.gitRoots = r.GitRoots(ctx, s.workspace)
	}
	lc, err := s.launchCommand()
	if err != nil {
		s.removeDirs()
		return err
	}
	remote, err := agent.RemoteLaunchCommand(s.workspace, dir, lc.shell)
	if err == nil {
		var argv []string
		if argv, err = r.Command(remote); err == nil {
			err = s.startProcess(argv)
		}
	}
	if err != nil {
		s.removeDirs()
		return err
	}
	return nil
}

// removeRemote kills what is left of the agent's process group on the host and removes the
// private directory there. It runs when the session ends; a host that is gone is logged, its
// processes having gone with it.
func (s *Session) removeRemote() {
	if err := s.opts.Remote.RemoveSession(s.dirs.root); err != nil {
		s.opts.Logger.Warn("remove the codex session on the worker host", "worker_host", s.opts.Remote.Host, "path", s.dirs.root, "error", err)
	}
}

// classifyRemoteExit applies sshworker.Classify to the ended ssh process: ssh's own exit 255,
// or any exit before the handshake, is the host's failure.
func (s *Session) classifyRemoteExit(st *sessionState, e *agent.Error, stderrTail string) {
	var exit *jsonl.ExitError
	if !errors.As(s.proc.ExitErr(), &exit) || exit.Kind != jsonl.ExitCode {
		if !st.handshaken && !st.stopped {
			e.Code = agent.CodeWorkerHostUnavailable
		}
		return
	}
	v := sshworker.Classify(sshworker.Exit{Code: exit.Code, HandshakeDone: st.handshaken, TurnStarted: st.turnBegun, Stderr: []byte(stderrTail)})
	if v.HostFailure {
		e.Code = agent.CodeWorkerHostUnavailable
		if v.Reason != "" {
			e.Message += " (" + v.Reason + ")"
		}
		e.Message = "worker host " + s.opts.Remote.Host + ": " + e.Message
	}
}

// initializeTimeout is how long the first request may wait: on a worker host it includes
// ssh's connection.
func (s *Session) initializeTimeout() time.Duration {
	if s.opts.Remote == nil {
		return s.opts.ReadTimeout
	}
	return s.opts.ReadTimeout + max(s.opts.Remote.ConnectTimeout, sshworker.DefaultConnectTimeout)
}
