package reaper

import (
	"fmt"
	"os"
	"sync"

	"github.com/symphony-go/symphony/internal/agent/reaper/supervisor"
)

// Identity names one process across pid reuse: the pid and its start time in clock ticks
// since boot (/proc/<pid>/stat field 22).
type Identity struct {
	PID       int
	StartTime uint64
}

func readStat(pid int) (supervisor.Stat, error) { return supervisor.ReadStat(pid) }

// Identify returns the identity of a running process.
func Identify(pid int) (Identity, error) {
	st, err := readStat(pid)
	if err != nil {
		return Identity{}, fmt.Errorf("identify process %d: %w", pid, err)
	}
	return Identity{PID: pid, StartTime: st.StartTime}, nil
}

// Self is this process's identity, read once: session directories and sandbox temp dirs
// carry their owner's in their names, and a service starting 200 agents would otherwise read
// its own /proc entry for each.
var Self = sync.OnceValues(func() (Identity, error) { return Identify(os.Getpid()) })

// IdentifyChild returns the identity of pid if it is a live child of this process. A child
// stays unreaped until its parent waits for it, so its identity cannot be stale.
func IdentifyChild(pid int) (Identity, error) {
	st, err := readStat(pid)
	if err != nil {
		return Identity{}, fmt.Errorf("identify process %d: %w", pid, err)
	}
	if st.PPID != os.Getpid() {
		return Identity{}, fmt.Errorf("process %d is not a child of this process (its parent is %d)", pid, st.PPID)
	}
	return Identity{PID: pid, StartTime: st.StartTime}, nil
}

// Alive reports whether the process id names is still running: same pid, same start time,
// and not a zombie.
func (id Identity) Alive() bool {
	if id.PID <= 0 {
		return false
	}
	st, err := readStat(id.PID)
	return err == nil && st.StartTime == id.StartTime && st.State != 'Z'
}

// Tree lists pid and all its live descendants, parents before children (see
// supervisor.Tree).
func Tree(pid int) []int { return supervisor.Tree(pid) }
