package sshworker

import (
	"fmt"
	"strings"
)

// A sandbox runtime on a host (Claude Code's bubblewrap sandbox) denies writing a path that does
// not exist by creating an empty 0444 file, or an empty directory at its first missing
// component, and mounting over it; only its exit handler removes them, so a runtime killed
// there leaves them in the host's workspace. This is agent.MountPoints done in the session's
// private directory on the host, by shell run over the ssh connections a session opens anyway:
// the directory holds the candidate paths (MountPointCandidatesFile, written with it), the
// launch (SessionGroupCommand) notes which of them are absent in a record named after its
// process group before the agent starts, and the end of a turn (KillSessionCommand), the
// session's removal and the start-up reap remove what the record names once that group is
// gone, then the record. The checks are the local ones: the record's own candidates only,
// below an anchor (the nearest directory that existed at record time) that is still the same
// directory by device and inode, through real directories only, and only an empty file with no
// write permission and one link or an empty directory, deepest first. GNU stat's -c gives the
// identities and modes, and GNU sleep a tenth of a second.

// MountPointCandidatesFile is the name, inside a session's private directory on a host, of the
// file listing, one a line, the absolute paths where the session's sandbox may leave a mount
// point (sandbox.(*Policy).MountPointCandidates).
const MountPointCandidatesFile = "mountpoint-candidates"

// mountRecordPrefix begins the name of a record of absent candidates in a session's private
// directory; the recording process group's id follows. Each line is "path anchor dev:ino".
const mountRecordPrefix = "mountpoints."

// mountPointFuncs defines the shell functions of the remote mount point sweep. Each names its
// variables with a prefix of its own (rm_, sm_, ra_): a POSIX shell has no local variables,
// and the scripts that call them keep theirs.
//
// rm_mount PATH ANCHOR ID removes PATH if it is a mount point bubblewrap made, reached from
// ANCHOR, whose dev:ino is still ID, through real directories only. A path that is not there
// (a sandbox that ended normally removed its mount points) costs no stat.
//
// sweep_mounts DIR TRIES [PGID] removes what each record in DIR names, deepest first, and the
// records, once the record's process group is gone: it waits up to TRIES tenths of a second
// for each, and takes a record of group PGID (the caller's own, so a dead group's) as gone. It
// fails when a record stays because its group still runs.
//
// record_mounts DIR PGID writes the record of group PGID: each candidate that is absent, with
// its anchor and the anchor's identity.
const mountPointFuncs = `rm_mount() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  case $1 in "$2"/*) ;; *) return 0 ;; esac
  [ "$(stat -L -c %d:%i -- "$2" 2>/dev/null)" = "$3" ] || return 0
  rm_rest=${1#"$2"/} rm_dir=$2
  while :; do
    case $rm_rest in */*) ;; *) break ;; esac
    rm_dir=$rm_dir/${rm_rest%%/*} rm_rest=${rm_rest#*/}
    [ -d "$rm_dir" ] && [ ! -L "$rm_dir" ] || return 0
  done
  [ -L "$1" ] && return 0
  if [ -d "$1" ]; then
    rmdir -- "$1" 2>/dev/null
    return 0
  fi
  [ -f "$1" ] || return 0
  rm_stat=$(stat -c %s:%h:%a -- "$1" 2>/dev/null) || return 0
  case $rm_stat in 0:1:*) ;; *) return 0 ;; esac
  [ $((0${rm_stat##*:} & 0222)) -eq 0 ] && rm -f -- "$1"
  return 0
}
sweep_mounts() {
  sm_dir=$1 sm_tries=$2 sm_self=${3:-}
  set --
  sm_kept=0
  for sm_r in "$sm_dir"/` + mountRecordPrefix + `*; do
    [ -f "$sm_r" ] || continue
    sm_g=${sm_r##*/` + mountRecordPrefix + `}
    case $sm_g in ''|*[!0-9]*) continue ;; esac
    [ "$sm_g" -gt 1 ] || continue
    sm_n=0
    while [ "$sm_g" != "$sm_self" ] && kill -s 0 -- "-$sm_g" 2>/dev/null; do
      if [ "$sm_n" -ge "$sm_tries" ]; then
        echo "symphony: process group $sm_g still runs; the mount points its sandbox may have left in the workspace stay" >&2
        sm_kept=1
        continue 2
      fi
      sm_n=$((sm_n+1))
      sleep 0.1
    done
    set -- "$@" "$sm_r"
  done
  [ $# -gt 0 ] || return "$sm_kept"
  if [ -f "$sm_dir/` + MountPointCandidatesFile + `" ]; then
    awk 'NR == FNR { c[$0]; next } NF == 3 && ($1 in c) { print split($1, p, "/"), $0 }' "$sm_dir/` + MountPointCandidatesFile + `" "$@" |
      sort -rn | while read -r sm_depth sm_p sm_a sm_id; do rm_mount "$sm_p" "$sm_a" "$sm_id"; done
  fi
  rm -f -- "$@"
  return "$sm_kept"
}
record_mounts() {
  [ -f "$1/` + MountPointCandidatesFile + `" ] || return 0
  ra_last= ra_id=
  while IFS= read -r ra_p; do
    case $ra_p in /?*) ;; *) continue ;; esac
    [ -e "$ra_p" ] || [ -L "$ra_p" ] && continue
    ra_a=${ra_p%/*}
    until [ -z "$ra_a" ] || [ -e "$ra_a" ]; do ra_a=${ra_a%/*}; done
    [ -n "$ra_a" ] && [ -d "$ra_a" ] || continue
    if [ "$ra_a" != "$ra_last" ]; then
      ra_id=$(stat -L -c %d:%i -- "$ra_a") || continue
      ra_last=$ra_a
    fi
    printf '%s %s %s\n' "$ra_p" "$ra_a" "$ra_id"
  done < "$1/` + MountPointCandidatesFile + `" > "$1/` + mountRecordPrefix + `$2"
}
`

// MountPointCandidates renders paths as the content of MountPointCandidatesFile. A path the
// remote shell could not be trusted with (ValidateRemotePath) is left out and returned in
// skipped: the sweep never takes it.
func MountPointCandidates(paths []string) (content string, skipped []string) {
	var b strings.Builder
	for _, p := range paths {
		if err := ValidateRemotePath(p); err != nil || p == "/" {
			skipped = append(skipped, p)
			continue
		}
		b.WriteString(p + "\n")
	}
	return b.String(), skipped
}

// launchSweepWaitTenths is how long, in tenths of a second, a launch waits for the group of a
// record an earlier turn left (its end never reached the host) to be gone. The record is only
// there when that end failed, and a group killed moments ago may still be a zombie its new
// parent has not reaped yet; one still running keeps its record for the end of this turn.
const launchSweepWaitTenths = "10"

// sessionGroupScript is recordGroupScript for a session's private directory $1: besides the
// group in its AgentGroupFile, it sweeps what records of groups now gone name (a turn whose
// end never reached the host), then records which mount point candidates are absent before
// the agent starts. A record it cannot write is reported and the agent still runs, as a local
// session's does.
const sessionGroupScript = mountPointFuncs + `f=$1/` + AgentGroupFile + `
` + recordGroupLine + `sweep_mounts "$1" ` + launchSweepWaitTenths + ` "$pgid"
record_mounts "$1" "$pgid" || echo "symphony: cannot record the sandbox's mount points in $1" >&2
shift
exec "$@"`

// SessionGroupCommand is RemoteGroupCommand for an agent session whose private directory on
// the host is dir: the group is recorded in dir's AgentGroupFile, and, when dir holds a
// MountPointCandidatesFile, the candidates absent now are recorded beside it before the agent
// starts, for KillSessionCommand, RemoveSessionCommand and ReapSessionsCommand to sweep.
func SessionGroupCommand(dir string, argv []string) ([]string, error) {
	return wrapAgent(sessionGroupScript, "session directory", dir, argv)
}

// sweepWaitTenths is how long, in tenths of a second, a sweep after a kill waits for a
// recorded process group to be gone: SIGKILLed processes go at once unless the kernel holds
// them in an uninterruptible wait, and a mount point removed under a live sandbox would lift
// the deny it carries.
const sweepWaitTenths = "50"

// killSessionScript kills the group recorded in session directory $1 and sweeps the mount
// points its records name once the group is gone.
const killSessionScript = killGroupFunc + mountPointFuncs + `kill_group "$1/` + AgentGroupFile + `" || exit
sweep_mounts "$1" ` + sweepWaitTenths

// KillSessionCommand is the remote command that kills what is left of the agent's process
// group SessionGroupCommand recorded in session directory dir, then removes the mount points
// the agent's sandbox left (bounded by a wait for the group to be gone; a group that outlives
// it keeps its record, and the command fails).
func KillSessionCommand(dir string) ([]string, error) {
	if err := ValidateRemotePath(dir); err != nil {
		return nil, fmt.Errorf("session directory: %w", err)
	}
	return []string{"sh", "-c", killSessionScript, "symphony-kill-session", dir}, nil
}
