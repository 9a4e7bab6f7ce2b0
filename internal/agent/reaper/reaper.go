package reaper

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
)

// supervisorName is argv[0] of a supervisor; init recognises the mode by it, so the
// environment the agent inherits carries no marker.
const supervisorName = "symphony-agent-supervisor"

// parentDeathSignal is what the kernel sends the supervisor when the thread that started it
// exits. It is not SIGTERM because a Go thread can in principle exit while the service lives
// on; the supervisor checks its parent on this signal, whereas SIGTERM always means stop.
const parentDeathSignal = syscall.SIGUSR1

var installed atomic.Bool

// init runs the supervisor as early as the language allows. Package initialisation follows
// import paths in order among the packages whose imports are ready (Go spec, "Package
// initialization"), and this package imports only the standard library, so a supervisor
// exits before the service's own packages (their regexps, templates, schemas) and most of
// its libraries are initialised: those would cost every agent start tens of milliseconds of
// CPU for nothing.
func init() {
	if filepath.Base(os.Args[0]) == supervisorName {
		os.Exit(supervise(os.Args[1:]))
	}
}

// Init must be the first call in main, and in TestMain of test binaries that start agents.
// It records that this binary can re-execute itself as a supervisor (which the package's
// init has already recognised and run).
func Init() {
	installed.Store(true)
}

// Supervised reports whether Command starts agents under a supervisor, which is the case in
// every binary that called Init.
func Supervised() bool { return installed.Load() }

// Command returns an unstarted command that runs argv in its own process group under a
// supervisor. argv[0] is resolved against this process's PATH. held are files (the workspace
// lock) the supervisor keeps open, without passing them on, until the agent tree is gone.
// The caller sets Dir, Env and the standard streams, which reach the agent unchanged.
//
// In a binary that never called Init the command runs argv directly, without a supervisor
// and without held; only such binaries (test programs of unrelated packages) lose the
// guarantee.
func Command(argv []string, held ...*os.File) (*exec.Cmd, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("reaper: empty command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, err
	}
	if !installed.Load() {
		cmd := exec.Command(path, argv[1:]...)
		cmd.Args[0] = argv[0]
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd, nil
	}
	args := append([]string{supervisorName, strconv.Itoa(os.Getpid()), strconv.Itoa(len(held)), path}, argv...)
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: args, ExtraFiles: held}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: parentDeathSignal}
	return cmd, nil
}
