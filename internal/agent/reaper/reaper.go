package reaper

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/symphony-go/symphony/internal/agent/reaper/supervisor"
)

var installed atomic.Bool

// Init must be the first call in main, and in TestMain of test binaries that start agents.
// It records that this binary can re-execute itself as a supervisor (which package
// supervisor's init has already recognised and run).
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
	args := append([]string{supervisor.Name, strconv.Itoa(os.Getpid()), strconv.Itoa(len(held)), path}, argv...)
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: args, ExtraFiles: held}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: supervisor.ParentDeathSignal}
	return cmd, nil
}
