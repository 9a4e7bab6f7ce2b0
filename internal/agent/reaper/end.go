package reaper

import (
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper/supervisor"
)

// supervisorStopWait is how long End lets a supervisor kill its own tree after SIGTERM
// before killing everything itself; the supervisor needs its TermGrace plus its sweeps.
const supervisorStopWait = supervisor.TermGrace + 2*time.Second

// End makes sure the process id names and every process below it are gone, waiting at most
// timeout. A pid now used by another process (different start time) is left alone. The root
// (normally an agent supervisor, which kills its own tree) gets SIGTERM first; whatever is
// left then gets SIGKILL, children before parents, so nothing escapes to init on the way.
func End(id Identity, timeout time.Duration) error {
	if id.PID == 1 || id.PID == os.Getpid() {
		return fmt.Errorf("refusing to end process %d: it is init or this process", id.PID)
	}
	if !id.Alive() {
		return nil
	}
	deadline := time.Now().Add(timeout)
	_ = syscall.Kill(id.PID, syscall.SIGTERM)
	if waitDead(id, min(supervisorStopWait, timeout)) {
		return nil
	}
	for time.Now().Before(deadline) {
		tree := liveIdentities(Tree(id.PID))
		if !id.Alive() {
			return nil
		}
		slices.Reverse(tree)
		for _, p := range tree {
			if p.Alive() {
				_ = syscall.Kill(p.PID, syscall.SIGKILL)
			}
		}
		if waitDead(id, 100*time.Millisecond) && !anyAlive(tree) {
			return nil
		}
	}
	return fmt.Errorf("process %d (start time %d) is still alive after %s", id.PID, id.StartTime, timeout)
}

func liveIdentities(pids []int) []Identity {
	var out []Identity
	for _, p := range pids {
		if id, err := Identify(p); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func anyAlive(ids []Identity) bool {
	return slices.ContainsFunc(ids, Identity.Alive)
}

func waitDead(id Identity, limit time.Duration) bool {
	for end := time.Now().Add(limit); id.Alive(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			return false
		}
	}
	return true
}
