package sshworker

import (
	"fmt"
	"strconv"
	"strings"
)

// Killing the local ssh does not stop the remote agent: without a pty sshd sends no SIGHUP, it
// only closes the channel, and the agent's tool commands can run on unnoticed. sshd starts every
// session in a new session and process group, so the remote side records that group's id at
// start, and cancelling a run also sends RemoteKillCommand (KillSessionCommand for an agent
// session) over a second connection.

// recordGroupLine writes the remote process group id to the file $f and keeps it in $pgid.
// ps -o pgid= is POSIX; $((...)) drops the padding ps adds.
const recordGroupLine = `pgid=$(ps -o pgid= -p $$) && pgid=$((pgid)) && [ "$pgid" -gt 1 ] && printf '%s\n' "$pgid" > "$f" || { echo "symphony: cannot record the remote process group in $f" >&2; exit 125; }
`

// recordGroupScript records the remote process group in $1 and becomes the agent ("$@" after
// shift).
const recordGroupScript = "f=$1\n" + recordGroupLine + `shift
exec "$@"`

// killGroupFunc defines kill_group FILE, which kills the group recorded in FILE, if any, and
// removes the record. A missing file means the agent never started or was already cleaned up,
// which is not an error.
const killGroupFunc = `kill_group() {
  kg_pgid=$(cat -- "$1" 2>/dev/null) || return 0
  case $kg_pgid in ''|*[!0-9]*) echo "symphony: $1 does not hold a process group id" >&2; return 2 ;; esac
  [ "$kg_pgid" -gt 1 ] || { echo "symphony: refusing to kill process group $kg_pgid" >&2; return 2; }
  kill -s KILL -- "-$kg_pgid" 2>/dev/null
  rm -f -- "$1"
}
`

// killGroupScript kills the group recorded in $1.
const killGroupScript = killGroupFunc + `kill_group "$1"`

// RemoteGroupCommand wraps the agent argv so the remote shell first records its process group
// id in pgidFile (an absolute remote path, for example inside the session's private home).
// Exit status 125 means the record could not be written, before the agent ever ran.
func RemoteGroupCommand(pgidFile string, argv []string) ([]string, error) {
	return wrapAgent(recordGroupScript, "process group file", pgidFile, argv)
}

// wrapAgent is argv run by script, which takes path (named what in errors) as $1 and execs
// the rest once it has done its part.
func wrapAgent(script, what, path string, argv []string) ([]string, error) {
	if err := ValidateRemotePath(path); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("remote agent command is empty")
	}
	return append([]string{"sh", "-c", script, "symphony-agent", path}, argv...), nil
}

// RemoteKillCommand is the remote command that kills the process group RemoteGroupCommand
// recorded in pgidFile.
func RemoteKillCommand(pgidFile string) ([]string, error) {
	if err := ValidateRemotePath(pgidFile); err != nil {
		return nil, fmt.Errorf("process group file: %w", err)
	}
	return []string{"sh", "-c", killGroupScript, "symphony-kill", pgidFile}, nil
}

// AgentGroupFile is the name, inside a session's private directory on a host, of the file
// RemoteGroupCommand records the agent's process group in; ReapSessionsCommand looks for it.
const AgentGroupFile = "agent.pgid"

// reapSessionsScript removes every session directory directly under $1, first killing the
// process group its AgentGroupFile records, removing the mount points its records name
// (mountpoints.go) and the sandbox TMPDIR it records (SandboxTempFile), and prints how many
// it removed and how many it kept because their SandboxTempFile names another directory or a
// recorded process group outlived the kill (ParseReapOutput). It runs when a service starts,
// before it launches any session on the host, so every directory there was left by a service
// that died without cleaning up, and its agents may still be running.
const reapSessionsScript = removeSandboxTempFunc + mountPointFuncs + `[ -d "$1" ] || { echo 0 0; exit 0; }
n=0 k=0
for d in "$1"/*; do
  [ -d "$d" ] || continue
  pgid=$(cat -- "$d/` + AgentGroupFile + `" 2>/dev/null) || pgid=
  case $pgid in ''|*[!0-9]*) ;; *) [ "$pgid" -gt 1 ] && kill -s KILL -- "-$pgid" 2>/dev/null ;; esac
  sweep_mounts "$d" ` + sweepWaitTenths + ` || { k=$((k+1)); continue; }
  rm_sandbox_tmp "$d" || { k=$((k+1)); continue; }
  rm -rf -- "$d" && n=$((n+1))
done
echo "$n $k"`

// ParseReapOutput reads what ReapSessionsCommand printed: how many session directories it
// removed, and how many it kept because their sandbox temp record names a directory that is
// not the session's own, or a process group recorded there outlived the kill. A chatty login
// profile may print before the counts.
func ParseReapOutput(out []byte) (removed, kept int, err error) {
	words := strings.Fields(string(out))
	if len(words) < 2 {
		return 0, 0, fmt.Errorf("the reap printed %q, not its two counts", out)
	}
	removed, err = strconv.Atoi(words[len(words)-2])
	if err == nil {
		kept, err = strconv.Atoi(words[len(words)-1])
	}
	if err != nil {
		return 0, 0, fmt.Errorf("the reap printed %q, not its two counts", out)
	}
	return removed, kept, nil
}

// ReapSessionsCommand is the remote command that kills the agents of, and removes, every
// session directory left under sessionsRoot (an absolute remote path) by a service that is
// gone. Only the service that owns the host's workspaces.root may run it, and only before it
// starts sessions there. ParseReapOutput reads what it prints.
func ReapSessionsCommand(sessionsRoot string) ([]string, error) {
	if err := ValidateRemotePath(sessionsRoot); err != nil {
		return nil, fmt.Errorf("sessions root: %w", err)
	}
	return []string{"sh", "-c", reapSessionsScript, "symphony-reap", sessionsRoot}, nil
}
