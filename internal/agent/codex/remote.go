package codex

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// A session on a worker host (Options.Remote) runs `ssh ... -- <remote command>` as its agent
// process: the remote command records its process group, enters the workspace, loads the
// session's environment from a 0600 file in the private directory (so the provider key never
// appears on a command line or in `ps`), points CODEX_HOME and TMPDIR into that directory and
// execs the agent command under `bash -lc`, so the host's login profile finds codex. The
// private directory lives under Remote.SessionsRoot on the host, is written over ssh before
// launch and removed, with the agent's process group killed, when the session ends.

// remoteSetupTimeout bounds each ssh command that prepares or removes a remote session.
const remoteSetupTimeout = time.Minute

// remoteSetupScript makes the private directory $2 (home and tmp inside) under $1 and writes
// stdin to its config.toml; remoteEnvScript writes stdin to its env file.
const (
	remoteSetupScript = `umask 077 && mkdir -p -- "$1" && mkdir -- "$2" "$2/home" "$2/tmp" && cat > "$2/home/config.toml"`
	remoteEnvScript   = `umask 077 && cat > "$1/env"`
	remoteRemoveDir   = `rm -rf -- "$1"`
)

// remoteLaunchScript is what the recorded process group execs: $1 the workspace, $2 the
// private directory, the agent argv after them.
const remoteLaunchScript = `cd -P -- "$1" || exit 3
d=$2; shift 2
set -a; . "$d/env" || exit 3; set +a
CODEX_HOME=$d/home; TMPDIR=$d/tmp; export CODEX_HOME TMPDIR
exec "$@"`

// localOnlyVars describe this machine (or are set per session) and are not sent to a host,
// whose login shell sets its own.
var localOnlyVars = []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "SSL_CERT_FILE", "SSL_CERT_DIR", "CODEX_HOME", "TMPDIR"}

// sshClientVars is the part of Symphony's environment the local ssh client needs.
var sshClientVars = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "SSH_AUTH_SOCK"}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// NewRemoteSessionDir names a fresh private directory under the host's sessions root; the
// session creates it at launch.
func NewRemoteSessionDir(sessionsRoot string) (string, error) {
	if err := sshworker.ValidateRemotePath(sessionsRoot); err != nil {
		return "", fmt.Errorf("remote sessions root: %w", err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return path.Join(sessionsRoot, sessionDirPrefix+hex.EncodeToString(b)), nil
}

// launchRemote prepares the private directory on the host and starts ssh.
func (s *Session) launchRemote() error {
	r := s.opts.Remote
	for _, p := range []string{s.opts.WorkspaceRoot, s.opts.Workspace, s.opts.PrivateDir} {
		if err := sshworker.ValidateRemotePath(p); err != nil {
			return agent.Errorf(agent.CodeInvalidWorkspaceCwd, "on worker host %s: %w", r.Host, err)
		}
	}
	if !sshworker.RemotePathUnder(s.opts.WorkspaceRoot, s.opts.Workspace) {
		return agent.Errorf(agent.CodeInvalidWorkspaceCwd, "workspace %q is not inside the workspace root %q on %s", s.opts.Workspace, s.opts.WorkspaceRoot, r.Host)
	}
	if sshworker.RemotePathUnder(s.opts.Workspace, s.opts.PrivateDir) {
		return agent.Errorf(agent.CodeInvalidOptions, "private directory %q is inside the workspace on %s; the agent could read its CODEX_HOME", s.opts.PrivateDir, r.Host)
	}
	s.workspace = s.opts.Workspace
	env, err := s.remoteEnvFile()
	if err != nil {
		return err
	}
	dir := s.opts.PrivateDir
	ctx, cancel := context.WithTimeout(context.Background(), remoteSetupTimeout)
	defer cancel()
	config := sessionConfigTOML(s.opts.ConfigTOML, s.opts.MCPServersTOML)
	if _, err := r.Run(ctx, []string{"sh", "-c", remoteSetupScript, "symphony-codex-setup", path.Dir(dir), dir}, strings.NewReader(config)); err != nil {
		return remoteHostError("create the private codex home on the host", err)
	}
	s.dirs = privateDirs{root: dir, home: dir + "/home", tmp: dir + "/tmp"}
	if _, err := r.Run(ctx, []string{"sh", "-c", remoteEnvScript, "symphony-codex-env", dir}, strings.NewReader(env)); err != nil {
		s.removeDirs()
		return remoteHostError("write the agent environment on the host", err)
	}
	if s.sendsWorkspaceWritePolicy() {
		s.gitRoots = remoteGitRoots(ctx, r, s.workspace)
	}
	lc, err := s.launchCommand()
	if err != nil {
		s.removeDirs()
		return err
	}
	inner := []string{"sh", "-c", remoteLaunchScript, "symphony-codex", s.workspace, dir, "bash", "-lc", lc.shell}
	remote, err := sshworker.RemoteGroupCommand(s.pgidFile(), inner)
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

// remoteGitRootsScript prints the workspace's git directory and common directory (a
// worktree's live in its primary clone), the roots a workspaceWrite turn must also allow.
const remoteGitRootsScript = `cd -P -- "$1" && git rev-parse --path-format=absolute --git-dir --git-common-dir 2>/dev/null || true`

// remoteGitRoots is agent.GitMetadataRoots on the host: the workspace's .git, plus what git
// reports; a failure leaves just .git, as locally.
func remoteGitRoots(ctx context.Context, r *agent.Remote, workspace string) []string {
	roots := []string{path.Join(workspace, ".git")}
	out, err := r.Run(ctx, []string{"sh", "-c", remoteGitRootsScript, "symphony-git-roots", workspace}, nil)
	if err != nil {
		return roots
	}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); path.IsAbs(line) {
			roots = append(roots, path.Clean(line))
		}
	}
	return roots
}

// pgidFile records the remote agent's process group, inside the private directory.
func (s *Session) pgidFile() string { return s.dirs.root + "/" + sshworker.AgentGroupFile }

// remoteEnvFile renders the agent's environment as a shell file of `export NAME='value'`
// lines, leaving out what describes this machine.
func (s *Session) remoteEnvFile() (string, error) {
	var b strings.Builder
	for _, kv := range s.opts.Env {
		name, value, _ := strings.Cut(kv, "=")
		if slices.Contains(localOnlyVars, name) {
			continue
		}
		if !envNamePattern.MatchString(name) {
			return "", agent.Errorf(agent.CodeInvalidOptions, "environment variable name %q cannot be passed to a worker host", name)
		}
		if strings.IndexByte(value, 0) >= 0 {
			return "", agent.Errorf(agent.CodeInvalidOptions, "environment variable %s holds a NUL byte", name)
		}
		b.WriteString("export " + name + "=" + sshworker.Quote(value) + "\n")
	}
	return b.String(), nil
}

// sshEnviron is the local ssh client's environment: what it needs to find its program, keys
// and agent, nothing of the agent's own.
func sshEnviron() []string {
	var env []string
	for _, name := range sshClientVars {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// removeRemote kills what is left of the agent's process group on the host and removes the
// private directory there. It runs when the session ends; a host that is gone is logged, its
// processes having gone with it.
func (s *Session) removeRemote() {
	r := s.opts.Remote
	kill, err := sshworker.RemoteKillCommand(s.pgidFile())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), remoteSetupTimeout)
		defer cancel()
		if _, err = r.Run(ctx, kill, nil); err == nil {
			_, err = r.Run(ctx, []string{"sh", "-c", remoteRemoveDir, "symphony-codex-remove", s.dirs.root}, nil)
		}
	}
	if err != nil {
		s.opts.Logger.Warn("remove the codex session on the worker host", "worker_host", r.Host, "path", s.dirs.root, "error", err)
	}
}

// remoteHostError reports a failed ssh command before the agent ran: the host's failure.
func remoteHostError(what string, err error) error {
	return &agent.Error{Code: agent.CodeWorkerHostUnavailable, Message: what, Err: err}
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
