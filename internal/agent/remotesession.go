package agent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// A session on a worker host keeps its private directory under Remote.SessionsRoot there:
// made over ssh before launch with the agent's environment in a 0600 env file (so a provider
// key never appears on a command line or in `ps`), and removed, with the agent's process
// group killed, when the session ends. The agent itself runs under RemoteLaunchCommand.

// RemoteSetupTimeout bounds each ssh command that prepares or removes a remote session.
const RemoteSetupTimeout = time.Minute

const (
	// remoteCreateStart makes the private directory $2 under $1 (a directory already there
	// fails it, and is left alone) and from then on removes it again should a later command
	// fail. The subdirectories and files follow, then remoteCreateEnd.
	remoteCreateStart = `umask 077
set -eC
mkdir -p -- "$1"
mkdir -- "$2"
trap 'rm -rf -- "$2"' EXIT
`
	remoteCreateEnd = "trap - EXIT\n"
	// remoteCreateSandboxTemp makes the sandbox TMPDIR $3 in the host's temp directory (in
	// /tmp when TMPDIR is not a plain absolute path, would make it longer than $4, or cannot
	// hold it), removes it too should a later command fail, records it in the private
	// directory and exports it from the env file. The name is checked here to be plain, so
	// the path needs no quoting there.
	remoteCreateSandboxTemp = `r=${TMPDIR:-/tmp}
case $r in /*) ;; *) r=/tmp ;; esac
case $r in *[!A-Za-z0-9/._-]*) r=/tmp ;; esac
t=${r%/}/$3
[ ${#t} -le "$4" ] || t=/tmp/$3
mkdir -- "$t" 2>/dev/null || { t=/tmp/$3; mkdir -- "$t"; }
trap 'rm -rf -- "$2" "$t"' EXIT
printf '%s\n' "$t" > "$2/` + sshworker.SandboxTempFile + `"
printf 'export TMPDIR=%s\n' "$t" >> "$2/env"
`
)

// sandboxTempNamePattern is what a sandbox TMPDIR's name on a host may hold: it is written
// unquoted into the env file.
var sandboxTempNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// remoteLaunchScript is what the recorded process group execs: $1 the workspace, $2 the
// private directory, the agent argv after them.
const remoteLaunchScript = `cd -P -- "$1" || exit 3
d=$2; shift 2
set -a; . "$d/env" || exit 3; set +a
exec "$@"`

// remoteLocalOnlyVars describe this machine (or are set per session) and are not sent to a
// host, whose login shell sets its own.
var remoteLocalOnlyVars = []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "SSL_CERT_FILE", "SSL_CERT_DIR", "CODEX_HOME", "TMPDIR"}

// sshClientVars is the part of Symphony's environment the local ssh client needs.
var sshClientVars = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "SSH_AUTH_SOCK"}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// RemoteSessionIDChars is how many random hex digits follow the prefix in the names
// NewSessionDir makes, so a path inside one can be sized before it exists.
const RemoteSessionIDChars = 16

// NewSessionDir names a fresh private directory prefix<random> under the host's sessions
// root; CreateSessionDir makes it.
func (r *Remote) NewSessionDir(prefix string) (string, error) {
	if err := sshworker.ValidateRemotePath(r.SessionsRoot); err != nil {
		return "", fmt.Errorf("remote sessions root: %w", err)
	}
	b := make([]byte, RemoteSessionIDChars/2)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return path.Join(r.SessionsRoot, prefix+hex.EncodeToString(b)), nil
}

// RemoteFile is a file CreateSessionDir writes in the private directory: Path is absolute and
// inside it.
type RemoteFile struct {
	Path string
	Data []byte
}

// CreateSessionDir makes the private directory dir (0700) with the subdirectories subdirs, its
// env file holding env and files (0600), in one ssh round trip: each one is a new connection
// to the host. The shell script doing it goes over ssh's stdin, so the env file's secrets are
// never on a command line; a directory left half made is removed. A failure is the host's.
func (r *Remote) CreateSessionDir(ctx context.Context, dir string, subdirs []string, env string, files ...RemoteFile) error {
	return r.createSessionDir(ctx, dir, subdirs, env, false, files...)
}

// CreateSandboxSessionDir is CreateSessionDir for an agent whose sandbox runtime runs on the
// host (sandbox/runtimetemp.go says what it leaves in its TMPDIR): in the same round trip it
// also makes the session's own TMPDIR, symphony-sbx-<name of dir>, in the host's temp
// directory (0700), and the env file exports it. RemoveSession removes it with dir, and so
// does sshworker.ReapSessionsCommand after a crash.
func (r *Remote) CreateSandboxSessionDir(ctx context.Context, dir string, env string, files ...RemoteFile) error {
	return r.createSessionDir(ctx, dir, nil, env, true, files...)
}

func (r *Remote) createSessionDir(ctx context.Context, dir string, subdirs []string, env string, sandboxTemp bool, files ...RemoteFile) error {
	argv := []string{"sh", "-s", "--", path.Dir(dir), dir}
	if sandboxTemp {
		name := sshworker.SandboxTempPrefix + path.Base(dir)
		if !sandboxTempNamePattern.MatchString(name) || len(fallbackTempRoot)+1+len(name) > sandbox.MaxRuntimeTempDirLen {
			return Errorf(CodeInvalidOptions, "on worker host %s: session directory %q cannot name a sandbox temp dir", r.Host, dir)
		}
		argv = append(argv, name, strconv.Itoa(sandbox.MaxRuntimeTempDirLen))
	}
	var script strings.Builder
	script.WriteString(remoteCreateStart)
	for _, sub := range subdirs {
		if sub == "" || sub != path.Base(sub) || sub == "." || sub == ".." {
			return Errorf(CodeInvalidOptions, "session subdirectory %q must be a plain name", sub)
		}
		script.WriteString(`mkdir -- "$2"/` + sshworker.Quote(sub) + "\n")
	}
	for _, f := range append([]RemoteFile{{Path: dir + "/env", Data: []byte(env)}}, files...) {
		if err := sshworker.ValidateRemotePath(f.Path); err != nil || !sshworker.RemotePathUnder(dir, f.Path) {
			return Errorf(CodeInvalidOptions, "on worker host %s: session file %q must be inside %q", r.Host, f.Path, dir)
		}
		if bytes.IndexByte(f.Data, 0) >= 0 {
			return Errorf(CodeInvalidOptions, "session file %s holds a NUL byte, which cannot be written through a shell", path.Base(f.Path))
		}
		script.WriteString("printf '%s' " + sshworker.Quote(string(f.Data)) + " > " + sshworker.Quote(f.Path) + "\n")
	}
	if sandboxTemp {
		script.WriteString(remoteCreateSandboxTemp)
	}
	script.WriteString(remoteCreateEnd)
	if _, err := r.Run(ctx, argv, strings.NewReader(script.String())); err != nil {
		return RemoteHostError("create the session's private directory on the host", err)
	}
	return nil
}

// RemoteLaunchCommand is the remote argv that records the agent's process group (and, when
// the private directory dir lists mount point candidates, which of them are absent: see
// sshworker.SessionGroupCommand), enters workspace, loads dir's env file and runs
// shellCommand under `bash -lc`, so the host's login profile finds the agent.
func RemoteLaunchCommand(workspace, dir, shellCommand string) ([]string, error) {
	inner := []string{"sh", "-c", remoteLaunchScript, "symphony-agent-launch", workspace, dir, "bash", "-lc", shellCommand}
	return sshworker.SessionGroupCommand(dir, inner)
}

// KillGroup kills what is left of the agent's process group recorded in dir and, once it is
// gone, removes the mount points its sandbox left (sshworker.KillSessionCommand).
func (r *Remote) KillGroup(ctx context.Context, dir string) error {
	kill, err := sshworker.KillSessionCommand(dir)
	if err != nil {
		return err
	}
	_, err = r.Run(ctx, kill, nil)
	return err
}

// RemoveSession kills what is left of the agent's process group on the host and removes the
// private directory dir there, with the mount points the agent's sandbox left and the sandbox
// TMPDIR CreateSandboxSessionDir made for it.
func (r *Remote) RemoveSession(dir string) error {
	remove, err := sshworker.RemoveSessionCommand(dir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), RemoteSetupTimeout)
	defer cancel()
	err = r.KillGroup(ctx, dir)
	if err == nil {
		_, err = r.Run(ctx, remove, nil)
	}
	if err != nil && r.Unremoved != nil && errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		r.Unremoved(dir)
	}
	return err
}

// RemoteEnvFile renders env ("NAME=value") as a shell file of `export NAME='value'` lines,
// leaving out what describes this machine, then set, which the session itself decides.
func RemoteEnvFile(env []string, set ...string) (string, error) {
	var b strings.Builder
	for i, kv := range append(slices.Clone(env), set...) {
		name, value, _ := strings.Cut(kv, "=")
		if i < len(env) && slices.Contains(remoteLocalOnlyVars, name) {
			continue
		}
		if !envNamePattern.MatchString(name) {
			return "", Errorf(CodeInvalidOptions, "environment variable name %q cannot be passed to a worker host", name)
		}
		if strings.IndexByte(value, 0) >= 0 {
			return "", Errorf(CodeInvalidOptions, "environment variable %s holds a NUL byte", name)
		}
		b.WriteString("export " + name + "=" + sshworker.Quote(value) + "\n")
	}
	return b.String(), nil
}

// SSHClientEnviron is the local ssh client's environment: what it needs to find its program,
// keys and agent, nothing of the agent's own.
func SSHClientEnviron() []string {
	var env []string
	for _, name := range sshClientVars {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// RemoteHostError reports a failed ssh command before the agent ran: the host's failure.
func RemoteHostError(what string, err error) error {
	return &Error{Code: CodeWorkerHostUnavailable, Message: what, Err: err}
}

// remoteGitRootsScript prints the workspace's git directory and common directory (a
// worktree's live in its primary clone), the roots a sandboxed commit must also write.
const remoteGitRootsScript = `cd -P -- "$1" && git rev-parse --path-format=absolute --git-dir --git-common-dir 2>/dev/null || true`

// GitRoots is GitMetadataRoots on the host: the workspace's .git, plus what git reports; a
// failure leaves just .git, as locally.
func (r *Remote) GitRoots(ctx context.Context, workspace string) []string {
	out, err := r.Run(ctx, []string{"sh", "-c", remoteGitRootsScript, "symphony-git-roots", workspace}, nil)
	if err != nil {
		return gitRoots(workspace, "")
	}
	return gitRoots(workspace, string(out))
}

// gitRoots is the workspace's .git and the absolute paths among what remoteGitRootsScript
// printed.
func gitRoots(workspace, printed string) []string {
	roots := []string{path.Join(workspace, ".git")}
	for _, line := range strings.Split(printed, "\n") {
		if line = strings.TrimSpace(line); path.IsAbs(line) {
			roots = append(roots, path.Clean(line))
		}
	}
	return roots
}

// remoteHomeScript prints HOME of the host's login shell, NUL-terminated so that no character
// of it can be taken for the end.
const remoteHomeScript = `printf '%s\0' "$HOME"; `

// HomeAndGitRoots is HOME of the host's login shell, checked to be an absolute path, and
// GitRoots of workspace, in one ssh round trip. Failing to run is the host's failure.
func (r *Remote) HomeAndGitRoots(ctx context.Context, workspace string) (home string, roots []string, err error) {
	out, err := r.Run(ctx, []string{"sh", "-c", remoteHomeScript + remoteGitRootsScript, "symphony-home-git-roots", workspace}, nil)
	if err != nil {
		return "", nil, RemoteHostError("read HOME on worker host "+r.Host, err)
	}
	home, rest, found := strings.Cut(string(out), "\x00")
	if !found {
		return "", nil, fmt.Errorf("agent session on %s: reading HOME printed %q", r.Host, out)
	}
	if err := sshworker.ValidateRemotePath(home); err != nil {
		return "", nil, fmt.Errorf("agent session on %s: HOME: %w", r.Host, err)
	}
	return home, gitRoots(workspace, rest), nil
}

// CheckRemoteWorkspace applies the workspace rules to paths on the host: every path valid,
// the workspace strictly inside the root, the private directory outside the workspace.
func (r *Remote) CheckRemoteWorkspace(root, workspace, privateDir string) error {
	for _, p := range []string{root, workspace, privateDir} {
		if err := sshworker.ValidateRemotePath(p); err != nil {
			return Errorf(CodeInvalidWorkspaceCwd, "on worker host %s: %w", r.Host, err)
		}
	}
	if !sshworker.RemotePathUnder(root, workspace) {
		return Errorf(CodeInvalidWorkspaceCwd, "workspace %q is not inside the workspace root %q on %s", workspace, root, r.Host)
	}
	if sshworker.RemotePathUnder(workspace, privateDir) {
		return Errorf(CodeInvalidOptions, "private directory %q is inside the workspace on %s; the agent could read it", privateDir, r.Host)
	}
	return nil
}
