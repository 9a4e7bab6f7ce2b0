package sshworker

import "fmt"

// Killing the local ssh does not stop the remote agent: without a pty sshd sends no SIGHUP, it
// only closes the channel, and the agent's tool commands can run on unnoticed. sshd starts every
// session in a new session and process group, so the remote side records that group's id at
// start, and cancelling a run also sends RemoteKillCommand over a second connection.

// recordGroupScript writes the remote process group id to $1 and becomes the agent ("$@" after
// shift). ps -o pgid= is POSIX; $((...)) drops the padding ps adds.
const recordGroupScript = `pgid=$(ps -o pgid= -p $$) && pgid=$((pgid)) && [ "$pgid" -gt 1 ] && printf '%s\n' "$pgid" > "$1" || { echo "symphony: cannot record the remote process group in $1" >&2; exit 125; }
shift
exec "$@"`

// killGroupScript kills the group recorded in $1, if any, and removes the record. A missing file
// means the agent never started or was already cleaned up, which is not an error.
const killGroupScript = `pgid=$(cat -- "$1" 2>/dev/null) || exit 0
case $pgid in ''|*[!0-9]*) echo "symphony: $1 does not hold a process group id" >&2; exit 2 ;; esac
[ "$pgid" -gt 1 ] || { echo "symphony: refusing to kill process group $pgid" >&2; exit 2; }
kill -s KILL -- "-$pgid" 2>/dev/null
rm -f -- "$1"`

// RemoteGroupCommand wraps the agent argv so the remote shell first records its process group
// id in pgidFile (an absolute remote path, for example inside the session's private home).
// Exit status 125 means the record could not be written, before the agent ever ran.
func RemoteGroupCommand(pgidFile string, argv []string) ([]string, error) {
	if err := ValidateRemotePath(pgidFile); err != nil {
		return nil, fmt.Errorf("process group file: %w", err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("remote agent command is empty")
	}
	return append([]string{"sh", "-c", recordGroupScript, "symphony-agent", pgidFile}, argv...), nil
}

// RemoteKillCommand is the remote command that kills the process group RemoteGroupCommand
// recorded in pgidFile.
func RemoteKillCommand(pgidFile string) ([]string, error) {
	if err := ValidateRemotePath(pgidFile); err != nil {
		return nil, fmt.Errorf("process group file: %w", err)
	}
	return []string{"sh", "-c", killGroupScript, "symphony-kill", pgidFile}, nil
}
