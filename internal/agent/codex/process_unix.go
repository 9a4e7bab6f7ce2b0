package codex

import (
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// processTree names pid and all its live descendants by pid and start time, so a later signal
// never reaches a process that merely reused one of their pids. Codex starts shell commands in
// sessions and process groups of their own, so killing the agent's group alone can leave
// them running; under the supervisor even reparented helpers stay in this tree.
func processTree(pid int) []reaper.Identity {
	var tree []reaper.Identity
	for _, p := range reaper.Tree(pid) {
		if id, err := reaper.Identify(p); err == nil {
			tree = append(tree, id)
		}
	}
	return tree
}

// signalTree sends sig to the process group of pid and to every process in tree that is
// still the process it was.
func signalTree(pid int, tree []reaper.Identity, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig)
	for _, id := range tree {
		if id.Alive() {
			_ = syscall.Kill(id.PID, sig)
		}
	}
}

const (
	killSignal = syscall.SIGKILL
	termSignal = syscall.SIGTERM
)

// waitAllGone waits up to limit for every process in tree to exit or become a zombie.
func waitAllGone(tree []reaper.Identity, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && anyAlive(tree) {
		time.Sleep(20 * time.Millisecond)
	}
}

func anyAlive(tree []reaper.Identity) bool {
	for _, id := range tree {
		if id.Alive() {
			return true
		}
	}
	return false
}
