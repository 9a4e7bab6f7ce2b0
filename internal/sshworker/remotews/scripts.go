package remotews

import "github.com/symphony-go/symphony/internal/workspace"

// The remote scripts are fixed text run as `sh -c <script> <name> <args...>`: every value
// arrives as a positional parameter, quoted by sshworker.CommandLine and validated before, so
// none of them is ever parsed as shell syntax on the host. Each checks containment on the
// host's physical paths (cd -P; pwd -P) before it writes into or deletes a directory.

// Exit statuses the scripts use, mapped onto workspace error codes by scriptError.
const (
	exitFilesystem  = 3  // a directory could not be made, entered or removed
	exitOutsideRoot = 4  // a path resolved outside workspaces.root on the host
	exitGit         = 5  // a git command failed
	exitNotWorktree = 6  // the workspace exists but is not a worktree of the primary clone
	exitBadBranch   = 7  // git refuses the branch name
	exitUnpushed    = 8  // a clone workspace holds commits no remote has; it is kept
	exitElsewhere   = 9  // a pull request's head branch is checked out in another worktree
	exitLockTimeout = 10 // the primary clone's lock was not free within the wait allowed
	exitNoFlock     = 11 // the host has no flock(1) that can wait with a timeout
)

// Marker lines the scripts print on stdout; anything else there (a chatty login profile) is
// ignored.
const (
	markerCreated   = "symphony-workspace-created="
	markerRoot      = "symphony-workspace-root="
	markerPath      = "symphony-workspace-path="
	markerFreeKB    = "symphony-free-kb="
	markerNewBranch = "symphony-new-branch="
	markerSavedRef  = "symphony-saved-ref="
)

// checkRootScript is the common head of the prepare scripts: $1 is workspaces.root, $2 the
// repository directory inside it; both are made when missing, and the repository directory
// must physically lie inside the root before anything is created in it.
const checkRootScript = `mkdir -p -- "$1" && proot=$(cd -P -- "$1" && pwd -P) || exit 3
mkdir -p -- "$2" && prepo=$(cd -P -- "$2" && pwd -P) || exit 3
case $prepo in "$proot"/?*) ;; *) echo "symphony: $2 resolves to $prepo, outside $proot" >&2; exit 4 ;; esac
`

// reportScript prints the markers ParseWorkspaceReport-style parsing reads, and the free
// space of the root's filesystem for the disk guard.
const reportScript = `printf '` + markerCreated + `%s\n` + markerRoot + `%s\n` + markerPath + `%s\n' "$created" "$proot" "$pdir"
free=$(df -Pk -- "$proot" 2>/dev/null | awk 'NR==2 {print $4}') && printf '` + markerFreeKB + `%s\n' "$free"
`

// lockPrimaryScript defines lock_primary <primary clone> <wait seconds>, which
// holds an exclusive flock on workspace.PrimaryLockName in the clone's git common directory
// for the rest of the script, the same file a Symphony service on the host locks with
// flock(2), so a service there and others dispatching to the host exclude each other; the
// kernel drops the lock when the script ends, however it ends. Past the wait it exits 10,
// printing the holder text a local service wrote (scripts write none: see below).
//
// Without util-linux flock (2.25 or later, for -w and -E) the script refuses (exit 11)
// rather than falling back to a mkdir lock directory: such a lock would not exclude a
// service holding flock(2) on the same clone, which is the case the lock exists for, and a
// lock directory left by a killed script cannot be told from a live one without a race of
// its own. Most Linux distributions ship util-linux in their base system.
//
// The file is opened read-only and never written: agents can write the git common
// directory, so the name may be a planted symlink by the time the shell opens it, and
// opening it that way creates and changes nothing. It is created (noclobber, which does not
// follow a link) only when missing. git runs with the lock's descriptor closed, so nothing
// it leaves running (an fsmonitor daemon, an ssh master) holds the lock after the script.
const lockPrimaryScript = `git() { command git "$@" 9<&-; }
lock_primary() {
  command -v flock >/dev/null 2>&1 || { echo "symphony: this host has no flock(1) (util-linux); worktree workspaces need it to lock the primary clone $1" >&2; exit 11; }
  common=$(cd -P -- "$1" && cd -P -- "$(git rev-parse --git-common-dir)" && pwd -P) || { echo "symphony: $1 is not a git repository" >&2; exit 5; }
  lock=$common/` + workspace.PrimaryLockName + `
  [ -e "$lock" ] || [ -L "$lock" ] || (set -C; : > "$lock") 2>/dev/null
  if [ -L "$lock" ] || [ ! -f "$lock" ]; then echo "symphony: $lock is not a regular file; refusing to lock through it" >&2; exit 3; fi
  command exec 9<"$lock" || exit 3
  flock -w "$2" -E 10 9
  case $? in
  0) ;;
  10) holder=$(sed -n 1p "$lock" 2>/dev/null)
    echo "symphony: primary clone $1: its lock $lock was not free within $2s (${holder:-holder unknown: another service's script on this host, or a process that wrote nothing}); will try again later" >&2
    exit 10 ;;
  *) echo "symphony: flock(1) on this host cannot wait for $lock; worktree workspaces need util-linux flock 2.25 or later" >&2; exit 11 ;;
  esac
}
`

// prepareDirScript makes the workspace $3 of the clone strategy as an empty 0700 directory
// (after_create usually clones into it), or touches an existing one so age collection counts
// from its last dispatch.
const prepareDirScript = checkRootScript + `if [ -e "$3" ] || [ -L "$3" ]; then
  [ -d "$3" ] && [ ! -L "$3" ] || { echo "symphony: $3 exists but is not a directory" >&2; exit 3; }
  touch -c -- "$3"; created=no
else
  mkdir -m 700 -- "$3" || exit 3; created=yes
fi
pdir=$(cd -P -- "$3" && pwd -P) || exit 3
` + reportScript

// prepareWorktreeScript makes the workspace $3 a worktree of the primary clone $4 (a path on
// the host) on branch $5, new branches starting at $6; $7 = yes fetches origin first. An
// existing registered worktree is reused; an existing directory that is not one is refused.
// The git steps wait at most $8 seconds for the primary clone's lock.
const prepareWorktreeScript = checkRootScript + lockPrimaryScript + `lock_primary "$4" "$8"
if [ "$7" = yes ]; then git -C "$4" fetch --quiet origin || exit 5; fi
newbranch=no
if [ -e "$3" ] || [ -L "$3" ]; then
  pdir=$(cd -P -- "$3" && pwd -P) || exit 3
  git -C "$4" worktree list --porcelain | grep -qxF "worktree $pdir" || { echo "symphony: $3 exists but is not a worktree of $4; refusing to overwrite it" >&2; exit 6; }
  touch -c -- "$3"; created=no
else
  git -C "$4" worktree prune || exit 5
  git check-ref-format --branch "$5" >/dev/null 2>&1 || { echo "symphony: $5 is not a valid git branch name" >&2; exit 7; }
  mkdir -m 700 -- "$3" || exit 3
  pdir=$(cd -P -- "$3" && pwd -P) || exit 3
  case $pdir in "$proot"/?*) ;; *) rmdir -- "$3"; echo "symphony: $3 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
  if git -C "$4" rev-parse --verify --quiet "refs/heads/$5" >/dev/null; then
    git -C "$4" worktree add --quiet "$pdir" "$5" >&2
  else
    newbranch=yes
    git -C "$4" worktree add --quiet --no-track -b "$5" "$pdir" "$6" >&2
  fi || {
    rm -rf -- "$pdir"; git -C "$4" worktree prune
    [ "$newbranch" = yes ] && git -C "$4" branch -D "$5" >/dev/null 2>&1
    exit 5
  }
  created=yes
fi
printf '` + markerNewBranch + `%s\n' "$newbranch"
` + reportScript

// preparePRScript makes the workspace $3 of a pull-request run: a worktree of the primary
// clone $4 on the pull request's head branch $5, reset to origin/$5 after a fetch of it.
// What the reset or the branch move would lose (a dirty tree, saved as a commit on top of
// HEAD; commits no remote has) is first kept under refs/symphony/orphaned/<sha> in the
// primary clone, each ref printed after markerSavedRef. Git runs in the workspace without
// its hooks or fsmonitor, which the agent could have planted. The head branch checked out in
// another worktree is refused (exit 9). The git steps wait at most $6 seconds for the primary
// clone's lock.
const preparePRScript = checkRootScript + lockPrimaryScript + `primary=$4 head=$5
lock_primary "$primary" "$6"
git check-ref-format --branch "$head" >/dev/null 2>&1 || { echo "symphony: pull request head $head is not a valid git branch name" >&2; exit 7; }
remote=refs/remotes/origin/$head
git -C "$primary" fetch --quiet origin "+refs/heads/$head:$remote" >&2 || exit 5
safe='-c core.fsmonitor=false -c core.hooksPath=/dev/null'
keep() {
  sha=$(git -C "$primary" rev-parse --verify --quiet "$1^{commit}") || return 0
  n=$(git -C "$primary" rev-list --count "$sha" --not --remotes) || return 1
  [ "$n" -eq 0 ] && return 0
  git -C "$primary" update-ref "refs/symphony/orphaned/$sha" "$sha" || return 1
  printf '` + markerSavedRef + `%s\n' "refs/symphony/orphaned/$sha"
}
if [ -e "$3" ] || [ -L "$3" ]; then
  [ -d "$3" ] && [ ! -L "$3" ] || { echo "symphony: $3 exists but is not a directory" >&2; exit 6; }
  pdir=$(cd -P -- "$3" && pwd -P) || exit 3
else
  pdir=$prepo/${3##*/}
fi
case $pdir in "$proot"/?*) ;; *) echo "symphony: $3 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
list=$(git -C "$primary" worktree list --porcelain) || exit 5
other=$(printf '%s\n' "$list" | awk -v b="branch refs/heads/$head" -v p="worktree $pdir" '/^worktree /{w=$0} $0==b && w!=p {print substr(w,10); exit}')
[ -z "$other" ] || { echo "symphony: branch $head is checked out in $other; a pull-request run needs it for itself" >&2; exit 9; }
registered=no
printf '%s\n' "$list" | grep -qxF "worktree $pdir" && registered=yes
if [ -d "$3" ]; then
  [ "$registered" = yes ] || { echo "symphony: $3 exists but is not a worktree of $primary; refusing to overwrite it" >&2; exit 6; }
  status=$(git $safe -C "$pdir" status --porcelain --untracked-files=all) || exit 5
  tip=$(git -C "$pdir" rev-parse --verify "HEAD^{commit}") || exit 5
  if [ -n "$status" ]; then
    git $safe -C "$pdir" add --all || exit 5
    tree=$(git $safe -C "$pdir" write-tree) || exit 5
    tip=$(git $safe -C "$pdir" -c user.name=Symphony -c user.email=symphony@localhost commit-tree "$tree" -p "$tip" \
      -m "symphony: uncommitted work saved before resetting to origin/$head") || exit 5
  fi
  keep "$tip" || exit 5
  git $safe -C "$pdir" checkout --quiet --force -B "$head" "$remote" >&2 || exit 5
  git $safe -C "$pdir" clean --quiet -fd >&2 || exit 5
  created=no
else
  if [ "$registered" = yes ]; then git -C "$primary" worktree prune || exit 5; fi
  keep "refs/heads/$head" || exit 5
  mkdir -m 700 -- "$3" || exit 3
  pdir=$(cd -P -- "$3" && pwd -P) || exit 3
  case $pdir in "$proot"/?*) ;; *) rmdir -- "$3"; echo "symphony: $3 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
  git -C "$primary" worktree add --quiet --no-track -B "$head" "$pdir" "$remote" >&2 || {
    rm -rf -- "$pdir"; git -C "$primary" worktree prune; exit 5
  }
  created=yes
fi
` + reportScript

// removeDirScript deletes the clone-strategy workspace $2 under root $1 after checking on the
// host that it physically lies inside the root. A git repository there with commits no
// remote-tracking ref holds is kept (exit 8): the agent could not push from a worker host
// through Symphony's tools, so those commits may exist nowhere else. A symlink in the
// workspace's place is removed as a link, never followed.
const removeDirScript = `[ -e "$2" ] || [ -L "$2" ] || exit 0
if [ -L "$2" ]; then rm -f -- "$2"; exit; fi
proot=$(cd -P -- "$1" && pwd -P) || exit 3
pdir=$(cd -P -- "$2" && pwd -P) || exit 3
case $pdir in "$proot"/?*) ;; *) echo "symphony: workspace $2 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
if top=$(git -C "$pdir" rev-parse --show-toplevel 2>/dev/null) && [ "$(cd -P -- "$top" && pwd -P)" = "$pdir" ] &&
   git -C "$pdir" rev-parse --verify --quiet HEAD >/dev/null 2>&1; then
  n=$(git -C "$pdir" rev-list --count HEAD --branches --not --remotes) || exit 5
  [ "$n" -eq 0 ] || { echo "symphony: keeping $pdir: it holds $n commits no remote has" >&2; exit 8; }
fi
rm -rf -- "$pdir" || exit 3`

// removeWorktreeScript unregisters and deletes the worktree $2 of primary clone $3, then
// deletes branch $4 (when not empty) unless it holds commits found nowhere else (no remote-tracking ref and no
// local branch outside auto/), as local workspaces do. The git steps wait at most $5 seconds
// for the primary clone's lock.
const removeWorktreeScript = lockPrimaryScript + `lock_primary "$3" "$5"
if [ -L "$2" ]; then rm -f -- "$2"
elif [ -e "$2" ]; then
  proot=$(cd -P -- "$1" && pwd -P) || exit 3
  pdir=$(cd -P -- "$2" && pwd -P) || exit 3
  case $pdir in "$proot"/?*) ;; *) echo "symphony: workspace $2 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac
  git -C "$3" worktree remove --force "$pdir" >/dev/null 2>&1
  rm -rf -- "$pdir" || exit 3
fi
git -C "$3" worktree prune || exit 5
if [ -n "$4" ] && git -C "$3" rev-parse --verify --quiet "refs/heads/$4" >/dev/null; then
  n=$(git -C "$3" rev-list --count "refs/heads/$4" --not --remotes --exclude='auto/*' --branches) || exit 5
  if [ "$n" -eq 0 ]; then git -C "$3" branch -D "$4" >/dev/null || exit 5
  else echo "symphony: kept branch $4: it holds $n commits found nowhere else" >&2; fi
fi
exit 0`

// validateScript succeeds when $2 is a real directory (not a symlink) physically inside $1.
const validateScript = `[ -d "$2" ] && [ ! -L "$2" ] || { echo "symphony: workspace $2 is missing or not a directory" >&2; exit 3; }
proot=$(cd -P -- "$1" && pwd -P) || exit 3
pdir=$(cd -P -- "$2" && pwd -P) || exit 3
case $pdir in "$proot"/?*) ;; *) echo "symphony: workspace $2 resolves to $pdir, outside $proot" >&2; exit 4 ;; esac`

// hookScript runs hook script $2 in workspace $1 as a login shell (bash, else sh), with the
// KEY=value words after them as its added environment, as local hooks run. Exit 121 means
// the workspace is not there.
const hookScript = `[ -d "$1" ] || exit 121
cd -P -- "$1" || exit 3
s=$2; shift 2
if command -v bash >/dev/null 2>&1; then exec env "$@" bash -lc "$s"; fi
exec env "$@" sh -lc "$s"`
