package sshworker

import "fmt"

// A sandbox runtime running on a host (Claude Code's, for a Claude session there) keeps files
// in its TMPDIR that it never removes, and binds Unix sockets there, so a session directory
// under the sessions root is too long for it. Such a session gets a short TMPDIR of its own
// in the host's temp directory, named after the session directory, whose path the session
// directory records in SandboxTempFile. RemoveSessionCommand and ReapSessionsCommand remove it
// with the session directory.

// SandboxTempFile is the name, inside a session's private directory on a host, of the file
// holding the absolute path of the session's sandbox TMPDIR on the host.
const SandboxTempFile = "sandbox-tmp"

// SandboxTempPrefix begins the name of a session's sandbox TMPDIR on a host; the name of the
// session's private directory follows, so the owner is recognisable, and a record naming any
// other directory is refused rather than removed.
const SandboxTempPrefix = "symphony-sbx-"

// removeSandboxTempFunc defines rm_sandbox_tmp DIR, which removes the sandbox TMPDIR recorded
// in session directory DIR, if any. Directories a command left without write permission are
// made writable first, or rm could not empty them; find does not follow symbolic links.
const removeSandboxTempFunc = `rm_sandbox_tmp() {
  t=$(cat -- "$1/` + SandboxTempFile + `" 2>/dev/null) || return 0
  case /$t/ in
  */../*|*/./*) echo "symphony: $1/` + SandboxTempFile + ` names $t; left alone" >&2; return 1 ;;
  /*/` + SandboxTempPrefix + `"${1##*/}"/) ;;
  *) echo "symphony: $1/` + SandboxTempFile + ` names $t, not the session's temp dir; left alone" >&2; return 1 ;;
  esac
  [ -d "$t" ] || return 0
  find "$t" -type d ! -perm -700 -exec chmod u+rwx {} + 2>/dev/null
  rm -rf -- "$t"
}
`

// removeSessionScript removes session directory $1, the mount points its records name
// (mountpoints.go) and the sandbox TMPDIR it records; the directory goes last, so that the
// records survive a failure to remove what they name.
const removeSessionScript = removeSandboxTempFunc + mountPointFuncs + `sweep_mounts "$1" ` + sweepWaitTenths + ` || exit
rm_sandbox_tmp "$1" || exit
rm -rf -- "$1"`

// RemoveSessionCommand is the remote command that removes the session directory dir (an
// absolute remote path), the mount points its records name and the sandbox TMPDIR it records.
// It fails, keeping dir for ReapSessionsCommand, while a process group recorded there runs.
func RemoveSessionCommand(dir string) ([]string, error) {
	if err := ValidateRemotePath(dir); err != nil {
		return nil, fmt.Errorf("session directory: %w", err)
	}
	return []string{"sh", "-c", removeSessionScript, "symphony-session-remove", dir}, nil
}
