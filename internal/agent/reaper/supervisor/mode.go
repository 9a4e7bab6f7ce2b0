package supervisor

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// Name is argv[0] of a supervisor; init recognises the mode by it, so the environment the
// agent inherits carries no marker.
const Name = "symphony-agent-supervisor"

// ParentDeathSignal is what the kernel sends the supervisor each time it is reparented: when
// the thread that started it exits, and when the service is gone. It is not SIGTERM because a
// Go thread can in principle exit while the service lives on; the supervisor checks its parent
// on this signal, whereas SIGTERM always means stop.
const ParentDeathSignal = syscall.SIGUSR1

// TermGrace is how long descendants get after SIGTERM to run exit traps before SIGKILL.
const TermGrace = 500 * time.Millisecond

// init runs the supervisor and exits when this process was started as one. The base name is
// taken by hand: package path/filepath is initialised too late for this init to use it.
func init() {
	arg0 := os.Args[0]
	if i := strings.LastIndexByte(arg0, '/'); i >= 0 {
		arg0 = arg0[i+1:]
	}
	if arg0 == Name {
		os.Exit(supervise(os.Args[1:]))
	}
}
